const { findFilm } = require('../../utils/films.js');

Page({
  data: {
    film: null,
    scanned: ''
  },

  onLoad(query) {
    const film = findFilm(query.id) || null;
    this.setData({ film });
    if (film) {
      tt.setNavigationBarTitle({ title: film.title });
    }
  },

  onChoose(event) {
    tt.navigateTo({ url: `/pages/seats/seats?show=${event.currentTarget.dataset.show}` });
  },

  // The host's scanner: the code's text comes back.
  onScan() {
    tt.scanCode({
      success: (res) => this.setData({ scanned: res.result }),
      fail: () => this.setData({ scanned: 'nothing (cancelled)' })
    });
  },

  // "Make a video" asks for the video channel: the host then posts a video carrying this page.
  onShareAppMessage(options) {
    const fromVideoButton = options && options.target && options.target.dataset.channel === 'video';
    return {
      title: this.data.film ? this.data.film.title : 'Capsule Cinema',
      path: `/pages/film/film?id=${this.data.film ? this.data.film.id : ''}`,
      channel: fromVideoButton ? 'video' : undefined
    };
  }
});
