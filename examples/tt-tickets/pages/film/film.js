const { findFilm } = require('../../utils/films.js');

const app = getApp();

Page({
  data: {
    film: null,
    scanned: '',
    review: ''
  },

  onLoad(query) {
    const film = findFilm(query.id) || null;
    this.setData({ film });
    if (film) {
      tt.setNavigationBarTitle({ title: film.title });
      // The bar takes the film's poster colour.
      tt.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: film.color });
    }
  },

  onChoose(event) {
    tt.navigateTo({ url: `/pages/seats/seats?show=${event.currentTarget.dataset.show}` });
  },

  onOptions() {
    const options = [
      { text: 'Want to see', choose: () => app.wantToSee(this.data.film) },
      { text: 'Write a review', choose: () => this.writeReview() },
      { text: 'Report a problem', choose: () => this.reportProblem() },
      { text: 'See the poster', choose: () => tt.navigateTo({ url: `/pages/poster/poster?id=${this.data.film.id}` }) }
    ];
    tt.showActionSheet({
      itemList: options.map((option) => option.text),
      itemColor: '#1f1f2e',
      success: (res) => options[res.tapIndex].choose()
    });
  },

  writeReview() {
    tt.showModal({
      title: 'Your review',
      editable: true,
      placeholderText: 'What did you think?',
      confirmText: 'Post',
      cancelText: 'Not now',
      confirmColor: '#ff3b5c',
      success: (res) => {
        if (res.confirm && res.content.trim()) {
          this.setData({ review: res.content.trim() });
          tt.showToast({ title: 'Review posted' });
        }
      }
    });
  },

  reportProblem() {
    tt.showModal({
      title: 'Report a problem',
      content: 'Thanks: the cinema will look into it.',
      showCancel: false,
      confirmText: 'Got it'
    });
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
