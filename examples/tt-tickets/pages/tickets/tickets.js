// The person's cinema orders, newest first, from the backend, and the films they want to see.
const { films } = require('../../utils/films.js');

const app = getApp();

const STATUS_TEXT = { paid: 'Paid', unpaid: 'Awaiting payment', closed: 'Closed' };

Page({
  data: {
    tickets: [],
    loaded: false,
    error: '',
    wanted: ''
  },

  onShow() {
    this.showWanted();
    this.load();
  },

  // Seen now: the tab's badge goes.
  showWanted() {
    const ids = tt.getStorageSync('wanted') || [];
    const titles = films.filter((film) => ids.includes(film.id)).map((film) => film.title);
    this.setData({ wanted: titles.join(', ') });
    tt.setStorageSync('wantedUnseen', 0);
    app.showWantedBadge();
  },

  onPullDownRefresh() {
    this.load().then(() => tt.stopPullDownRefresh());
  },

  load() {
    return app.logIn()
      .then(() => app.call('/api/orders'))
      .then((answer) => {
        const tickets = answer.orders
          .filter((order) => order.show)
          .map((order) => ({
            no: order.out_order_no,
            title: order.title,
            seats: order.seats.join(' '),
            status: STATUS_TEXT[order.status] || order.status
          }));
        this.setData({ tickets, loaded: true, error: '' });
      })
      .catch((error) => this.setData({ loaded: true, error: error.message }));
  },

  onOpen(event) {
    tt.navigateTo({ url: `/pages/ticket/ticket?no=${event.currentTarget.dataset.no}` });
  }
});
