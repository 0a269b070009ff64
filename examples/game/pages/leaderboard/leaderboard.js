// The top ten players' best scores, best first, from the game's backend. Looking is no reason
// to make someone log in: only a player the host already knows is logged in here (tt.login
// with force: false); others get a Log in button.
const app = getApp();

Page({
  data: {
    leaderboard: [],
    lastScore: null,
    loaded: false,
    needsLogin: false,
    error: ''
  },

  onLoad() {
    this.setData({ lastScore: app.globalData.lastScore });
    this.load({ force: false });
  },

  onPullDownRefresh() {
    this.load({ force: false }).then(() => tt.stopPullDownRefresh());
  },

  onLogIn() {
    this.load({ force: true });
  },

  load({ force }) {
    return app.logIn('Log in to see the leaderboard', { force })
      .then(() => app.call('/api/scores'))
      .then((answer) => this.setData({ leaderboard: answer.leaderboard || [], loaded: true, needsLogin: false, error: '' }))
      .catch((error) => this.setData({ loaded: true, needsLogin: error.notLoggedIn === true, error: error.message }));
  }
});
