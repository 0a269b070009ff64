const { findFilm } = require('../../utils/films.js');

Page({
  data: {
    film: null
  },

  onLoad(query) {
    const film = findFilm(query.id) || null;
    this.setData({ film });
    if (film) {
      tt.setNavigationBarTitle({ title: film.title });
    }
  },

  onBuy(event) {
    const showId = event.currentTarget.dataset.show;
    tt.navigateTo({ url: `/pages/order/order?film=${this.data.film.id}&show=${showId}` });
  },

  onShareAppMessage() {
    return {
      title: this.data.film ? this.data.film.title : 'Capsule Cinema',
      path: `/pages/film/film?id=${this.data.film ? this.data.film.id : ''}`
    };
  }
});
