const app = getApp();

Page({
  data: {
    lines: [],
    total: 0
  },

  onShow() {
    const lines = app.globalData.cart;
    this.setData({ lines, total: app.cartTotal(lines) });
  },

  onStep(event) {
    const { key, delta } = event.currentTarget.dataset;
    const lines = app.globalData.cart
      .map((line) => (line.key === key ? { ...line, count: line.count + delta } : line))
      .filter((line) => line.count > 0);
    app.globalData.cart = lines;
    wx.setStorageSync('cart', lines);
    this.setData({ lines, total: app.cartTotal(lines) });
  },

  onClear() {
    wx.showModal({
      title: 'Clear the cart',
      content: `Remove ${this.data.lines.length} item(s)?`,
      success: (result) => {
        if (result.confirm) {
          app.clearCart();
          this.setData({ lines: [], total: 0 });
          wx.showToast({ title: 'Cart cleared' });
        }
      }
    });
  },

  onCheckout() {
    wx.navigateTo({ url: '/pages/checkout/checkout' });
  }
});
