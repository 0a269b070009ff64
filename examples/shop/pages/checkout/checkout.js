// Checkout: where it goes, what is in it, and paying in the host's cashier. The shop's server
// prices the order and creates it on the platform; tt.pay opens the cashier for it.
const app = getApp();

Page({
  data: {
    lines: [],
    total: 0,
    addresses: [],
    chosen: 0,
    adding: false,
    paying: false,
    error: '',
    pagesBelow: 1
  },

  onLoad() {
    this.setData({ pagesBelow: Math.max(1, getCurrentPages().length - 1) });
    const lines = app.globalData.cart;
    this.setData({ lines, total: app.cartTotal(lines) });
    app.logIn()
      .then(() => app.call('/api/addresses'))
      .then((res) => this.setData({ addresses: res.addresses, adding: res.addresses.length === 0 }))
      .catch((error) => this.setData({ error: error.message }));
  },

  onChoose(event) {
    this.setData({ chosen: Number(event.currentTarget.dataset.index) });
  },

  onShowAddress() {
    this.setData({ adding: true });
  },

  onAddAddress(event) {
    app.call('/api/addresses', { method: 'POST', data: event.detail.value })
      .then((res) => this.setData({ addresses: res.addresses, chosen: res.addresses.length - 1, adding: false, error: '' }))
      .catch((error) => wx.showToast({ title: error.message, icon: 'none' }));
  },

  onPay() {
    const address = this.data.addresses[this.data.chosen];
    if (!address) {
      wx.showToast({ title: 'Add an address first', icon: 'none' });
      return;
    }
    this.setData({ paying: true });
    const lines = this.data.lines.map((line) => ({ id: line.id, spec: line.spec, count: line.count }));
    app.call('/api/orders', { method: 'POST', data: { lines, address } })
      .then((order) => {
        tt.pay({
          orderInfo: { order_id: order.order_id, order_token: order.order_token },
          service: 5,
          success: (res) => {
            if (res.code === 0) {
              app.clearCart();
              wx.redirectTo({ url: `/packageAccount/pages/order/order?no=${order.out_order_no}` });
            } else {
              wx.showToast({ title: res.code === 4 ? 'Payment cancelled' : 'Payment failed', icon: 'none' });
            }
          },
          complete: () => this.setData({ paying: false })
        });
      })
      .catch((error) => {
        this.setData({ paying: false });
        wx.showToast({ title: error.message, icon: 'none' });
      });
  }
});
