App({
  globalData: {
    // The score last sent to the leaderboard, which the leaderboard page shows above the list.
    lastScore: null
  },

  // The game's own backend: its address comes from the platform (ext config), and it knows
  // the player by the session it gave for a tt.login code.
  call(path, { method = 'GET', data } = {}) {
    const api = (tt.getExtConfigSync() || {}).api;
    return new Promise((resolve, reject) => {
      if (!api) {
        reject(new Error('The game server is not configured'));
        return;
      }
      tt.request({
        url: api + path,
        method,
        data,
        header: { 'x-session': tt.getStorageSync('session') || '' },
        success: (res) => {
          if (res.statusCode === 200) {
            resolve(res.data);
            return;
          }
          // A session the backend no longer knows is dropped, so the next try logs in afresh.
          if (res.statusCode === 401) {
            tt.removeStorageSync('session');
          }
          reject(new Error((res.data && res.data.error) || `HTTP ${res.statusCode}`));
        },
        fail: (res) => reject(new Error(res.errMsg))
      });
    });
  },

  // Logs in to the backend once: the code from tt.login is traded there for the openid.
  // `reason` is the error when the person does not log in to the host. With `force: false`
  // the host does not ask a person who is not logged in; the error then has `notLoggedIn`.
  logIn(reason = 'Log in to continue', { force = true } = {}) {
    if (tt.getStorageSync('session')) {
      return Promise.resolve();
    }
    const notLoggedIn = () => Object.assign(new Error(reason), { notLoggedIn: true });
    return new Promise((resolve, reject) => {
      tt.login({
        force,
        success: (res) => {
          if (res.isLogin === false) {
            reject(notLoggedIn());
            return;
          }
          const appid = tt.getAccountInfoSync().miniProgram.appId;
          this.call('/api/login', { method: 'POST', data: { appid, code: res.code, anonymous_code: res.anonymousCode } })
            .then((session) => {
              tt.setStorageSync('session', session.session);
              resolve();
            })
            .catch(reject);
        },
        fail: () => reject(notLoggedIn())
      });
    });
  }
});
