// A film's poster, full screen to look at or share: the page draws its own bar (a back button
// and the title) under the host's capsule, as immersive pages do.
const { findFilm } = require('../../utils/films.js');

Page({
  data: {
    film: null,
    opensHome: false
  },

  // Opened on its own (from a share), the bar's button leads home instead of back.
  onLoad(query) {
    this.setData({ film: findFilm(query.id) || null, opensHome: getCurrentPages().length < 2 });
  },

  onBack() {
    if (this.data.opensHome) {
      tt.reLaunch({ url: '/pages/index/index' });
    } else {
      tt.navigateBack();
    }
  },

  onShareAppMessage() {
    const film = this.data.film || {};
    return { title: film.title, path: `/pages/poster/poster?id=${film.id}` };
  }
});
