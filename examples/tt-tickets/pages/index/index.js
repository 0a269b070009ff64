const { films } = require('../../utils/films.js');

const app = getApp();

Page({
  data: {
    city: '',
    films
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
