const app = getApp();

// Orders from this much (yuan) ship express at no charge.
const EXPRESS_FROM = 99;
const UNLOCKED = 'Free express delivery unlocked';

// The free-express bar: how far the cart is, and what it says. "Unlocked" waits for the bar to
// finish filling (its activeend), so the words and the bar arrive together.
function express(total, filled) {
  const percent = Math.min(100, Math.round(total * 100 / EXPRESS_FROM));
  const note = total >= EXPRESS_FROM
    ? (filled ? UNLOCKED : 'Almost there…')
    : `Add ¥${EXPRESS_FROM - total} more for free express delivery`;
  return { expressPercent: percent, expressNote: note };
}

Page({
  data: {
    lines: [],
    total: 0,
    expressFrom: EXPRESS_FROM,
    expressPercent: 0,
    expressNote: ''
  },

  onShow() {
    this.show(app.globalData.cart);
  },

  // A bar already full stays unlocked: it has no way left to fill.
  show(lines) {
    const total = app.cartTotal(lines);
    this.setData({ lines, total, ...express(total, this.data.expressNote === UNLOCKED) });
    app.showCartBadge();
  },

  onExpressBar(event) {
    if (event.detail.curPercent >= 100) {
      this.setData(express(this.data.total, true));
    }
  },

  onStep(event) {
    const { key, delta } = event.currentTarget.dataset;
    const lines = app.globalData.cart
      .map((line) => (line.key === key ? { ...line, count: line.count + delta } : line))
      .filter((line) => line.count > 0);
    app.globalData.cart = lines;
    wx.setStorageSync('cart', lines);
    this.show(lines);
  },

  onClear() {
    wx.showModal({
      title: 'Clear the cart',
      content: `Remove ${this.data.lines.length} item(s)?`,
      success: (result) => {
        if (result.confirm) {
          app.clearCart();
          this.show([]);
          wx.showToast({ title: 'Cart cleared' });
        }
      }
    });
  },

  onCheckout() {
    wx.navigateTo({ url: '/pages/checkout/checkout' });
  }
});
