// What tt.pay's non-zero codes mean to the person paying.
const PAY_FAILURES = { 1: 'Payment timed out', 2: 'Payment is still processing', 3: 'Payment failed', 4: 'Payment cancelled' };

// The "My tickets" tab's place in app.json's tabBar.
const TICKETS_TAB = 1;

App({
  globalData: {
    city: 'Shanghai'
  },

  onLaunch() {
    tt.getLocation({
      type: 'wgs84',
      success: () => {
        // A real app would map the coordinates to a city with its own service.
        this.globalData.city = 'Shanghai';
      },
      fail: () => {
        this.globalData.city = 'Shanghai';
      }
    });
  },

  // The cinema's own backend: its address comes from the platform (ext config), and it knows
  // the user by the session it gave for a tt.login code.
  call(path, { method = 'GET', data } = {}) {
    const api = (tt.getExtConfigSync() || {}).api;
    return new Promise((resolve, reject) => {
      if (!api) {
        reject(new Error('The cinema server is not configured'));
        return;
      }
      tt.request({
        url: api + path,
        method,
        data,
        header: { 'x-session': tt.getStorageSync('session') || '' },
        success: (res) => (res.statusCode === 200 ? resolve(res.data) : reject(new Error((res.data && res.data.error) || `HTTP ${res.statusCode}`))),
        fail: (res) => reject(new Error(res.errMsg))
      });
    });
  },

  // Logs in to the backend once: the code from tt.login is traded there for the openid.
  logIn() {
    if (tt.getStorageSync('session')) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      tt.login({
        success: (res) => {
          const appid = tt.getAccountInfoSync().miniProgram.appId;
          this.call('/api/login', { method: 'POST', data: { appid, code: res.code, anonymous_code: res.anonymousCode } })
            .then((session) => {
              tt.setStorageSync('session', session.session);
              resolve();
            })
            .catch(reject);
        },
        fail: () => reject(new Error('Log in to continue'))
      });
    });
  },

  // Films the person wants to see, kept on the phone. How many were added since they last
  // looked shows as a badge on the "My tickets" tab.
  wantToSee(film) {
    const wanted = tt.getStorageSync('wanted') || [];
    if (wanted.includes(film.id)) {
      tt.showToast({ title: 'Already on your list', icon: 'none' });
      return;
    }
    tt.setStorageSync('wanted', wanted.concat(film.id));
    tt.setStorageSync('wantedUnseen', (tt.getStorageSync('wantedUnseen') || 0) + 1);
    tt.showToast({ title: 'Added to Want to see', icon: 'none' });
  },

  // Only a tab page may call this: the tabBar APIs fail on other pages.
  showWantedBadge() {
    const unseen = tt.getStorageSync('wantedUnseen') || 0;
    if (unseen > 0) {
      tt.setTabBarBadge({ index: TICKETS_TAB, text: String(unseen) });
    } else {
      tt.removeTabBarBadge({ index: TICKETS_TAB });
    }
  },

  // Opens the host's cashier for an order the backend created; resolves when it is paid.
  pay(order) {
    return new Promise((resolve, reject) => {
      tt.pay({
        orderInfo: { order_id: order.order_id, order_token: order.order_token },
        service: 5,
        success: (res) => (res.code === 0 ? resolve(order) : reject(new Error(PAY_FAILURES[res.code] || 'Payment failed'))),
        fail: (res) => reject(new Error(res.errMsg || 'Payment failed'))
      });
    });
  }
});
