const { films } = require('../../utils/films.js');

const app = getApp();

Page({
  data: {
    city: '',
    films,
    featured: films.slice(0, 3),
    banner: 0,
    intoView: '',
    refreshing: false,
    refreshes: 0
  },

  onBanner(event) {
    this.setData({ banner: event.detail.current });
  },

  onJump() {
    this.setData({ intoView: `film-${films[films.length - 1].id}` });
  },

  // The list's own pull-down: showtimes reload, then the refresher is put away.
  onRefresh() {
    this.setData({ refreshing: true });
    setTimeout(() => {
      this.setData({ films, refreshing: false, refreshes: this.data.refreshes + 1 });
    }, 300);
  },

  onShow() {
    this.setData({ city: app.globalData.city });
  },

  onOpen(event) {
    tt.navigateTo({ url: `/pages/film/film?id=${event.currentTarget.dataset.id}` });
  },

  onPullDownRefresh() {
    this.setData({ films });
    tt.stopPullDownRefresh();
  }
});
