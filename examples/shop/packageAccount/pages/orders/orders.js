// The shop's orders, from the shop's own server (the host's order list never shows them).
const app = getApp();

const STATUS = { unpaid: 'Awaiting payment', paid: 'Paid', closed: 'Closed' };
const STATUS_ICON = { unpaid: 'waiting', paid: 'success', closed: 'cancel' };

function shown(order) {
  return {
    no: order.out_order_no,
    title: order.title,
    status: STATUS[order.status] || order.status,
    icon: STATUS_ICON[order.status] || 'info',
    total: (order.total / 100).toFixed(2)
  };
}

Page({
  data: {
    orders: [],
    loaded: false,
    error: ''
  },

  onShow() {
    app.logIn()
      .then(() => app.call('/api/orders'))
      .then((res) => this.setData({ orders: res.orders.map(shown), loaded: true, error: '' }))
      .catch((error) => this.setData({ error: error.message, loaded: true }));
  },

  onOpen(event) {
    wx.navigateTo({ url: `/packageAccount/pages/order/order?no=${event.currentTarget.dataset.no}` });
  }
});
