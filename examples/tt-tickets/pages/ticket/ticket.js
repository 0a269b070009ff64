// One order as the backend knows it: paid (the e-ticket and its QR code, made by the backend
// once the payment callback came), awaiting payment (seats held; pay again), or closed.
const { findShow } = require('../../utils/films.js');

const app = getApp();

Page({
  data: {
    order: null,
    film: {},
    show: {},
    seatsText: '',
    yuan: 0,
    error: '',
    paying: false
  },

  onLoad(query) {
    this.no = query.no;
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => tt.stopPullDownRefresh());
  },

  load() {
    return app.logIn()
      .then(() => app.call(`/api/orders/${this.no}`))
      .then((order) => {
        const found = findShow(order.show) || { film: {}, show: {} };
        this.setData({
          order,
          film: found.film,
          show: found.show,
          seatsText: (order.seats || []).join(' '),
          yuan: order.total / 100,
          error: ''
        });
      })
      .catch((error) => this.setData({ error: `This ticket cannot be loaded: ${error.message}` }));
  },

  onPay() {
    this.setData({ paying: true });
    app.pay(this.data.order)
      .catch((error) => tt.showToast({ title: error.message, icon: 'none' }))
      .then(() => this.load())
      .then(() => this.setData({ paying: false }));
  }
});
