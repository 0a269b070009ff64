const { films, upcoming } = require('../../utils/films.js');

const app = getApp();

// Films coming soon arrive a page at a time (as from a server) when the page reaches the bottom.
const PAGE_SIZE = 4;
const LOAD_MS = 400;
// How far down (px) the page is scrolled before "Back to top" shows.
const BACK_TO_TOP_AFTER = 300;

Page({
  data: {
    city: '',
    films,
    featured: films.slice(0, 3),
    banner: 0,
    intoView: '',
    refreshing: false,
    refreshes: 0,
    coming: upcoming.slice(0, PAGE_SIZE),
    comingAll: false,
    backToTop: false,
    pressed: ''
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
    app.showWantedBadge();
  },

  onOpen(event) {
    tt.navigateTo({ url: `/pages/film/film?id=${event.currentTarget.dataset.id}` });
  },

  // The whole page pulled down: the showtimes reload, then the loading area closes.
  onPullDownRefresh() {
    setTimeout(() => {
      this.setData({ films, refreshes: this.data.refreshes + 1 });
      tt.stopPullDownRefresh();
    }, LOAD_MS);
  },

  onReachBottom() {
    if (this.data.comingAll || this.loadingMore) {
      return;
    }
    this.loadingMore = true;
    tt.showLoading({ title: 'Loading films', mask: true });
    setTimeout(() => {
      const coming = upcoming.slice(0, this.data.coming.length + PAGE_SIZE);
      this.setData({ coming, comingAll: coming.length >= upcoming.length });
      tt.hideLoading();
      this.loadingMore = false;
    }, LOAD_MS);
  },

  onPageScroll(event) {
    const backToTop = event.scrollTop > BACK_TO_TOP_AFTER;
    if (backToTop !== this.data.backToTop) {
      this.setData({ backToTop });
    }
  },

  onBackToTop() {
    tt.pageScrollTo({ scrollTop: 0, duration: 300 });
  },

  onComingSoon() {
    tt.pageScrollTo({ selector: '.coming', duration: 300 });
  },

  // A finger on a film card lights it up until it lifts or moves away.
  onPress(event) {
    this.setData({ pressed: event.currentTarget.dataset.id });
  },

  onRelease() {
    if (this.data.pressed) {
      this.setData({ pressed: '' });
    }
  },

  // Holding a film card offers what else can be done with the film.
  onFilmMenu(event) {
    const film = films.find((item) => item.id === event.currentTarget.dataset.id);
    tt.showActionSheet({
      alertText: film.title,
      itemList: ['Want to see', 'Showtimes'],
      success: (res) => {
        if (res.tapIndex === 0) {
          app.wantToSee(film);
          app.showWantedBadge();
        } else {
          tt.navigateTo({ url: `/pages/film/film?id=${film.id}` });
        }
      }
    });
  }
});
