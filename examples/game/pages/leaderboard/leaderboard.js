// The top ten players' best scores, best first, from the game's backend.
const app = getApp();

Page({
  data: {
    leaderboard: [],
    lastScore: null,
    loaded: false,
    error: ''
  },

  onLoad() {
    this.setData({ lastScore: app.globalData.lastScore });
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => tt.stopPullDownRefresh());
  },

  load() {
    return app.logIn('Log in to see the leaderboard')
      .then(() => app.call('/api/scores'))
      .then((answer) => this.setData({ leaderboard: answer.leaderboard || [], loaded: true, error: '' }))
      .catch((error) => this.setData({ loaded: true, error: error.message }));
  }
});
