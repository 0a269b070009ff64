const { findFilm } = require('../../utils/films.js');

const MAX_TICKETS = 6;

Page({
  data: {
    film: {},
    show: {},
    count: 1,
    paying: false,
    paid: false
  },

  onLoad(query) {
    const film = findFilm(query.film) || {};
    const show = (film.showtimes || []).find((item) => item.id === query.show) || {};
    this.setData({ film, show });
  },

  onStep(event) {
    const limit = Math.min(MAX_TICKETS, this.data.show.seatsLeft || 0);
    const count = this.data.count + event.currentTarget.dataset.delta;
    if (count >= 1 && count <= limit) {
      this.setData({ count });
    }
  },

  onPay() {
    this.setData({ paying: true });
    tt.pay({
      orderInfo: { film: this.data.film.id, show: this.data.show.id, count: this.data.count },
      service: 5,
      success: () => this.setData({ paid: true }),
      fail: () => tt.showToast({ title: 'Payment cancelled', icon: 'none' }),
      complete: () => this.setData({ paying: false })
    });
  }
});
