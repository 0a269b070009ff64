const { products } = require('./utils/data.js');

App({
  globalData: {
    cart: [],
    userName: 'Guest'
  },

  onLaunch() {
    const saved = wx.getStorageSync('cart');
    if (Array.isArray(saved)) {
      // Lines saved before specs existed are keyed by product.
      this.globalData.cart = saved.map((line) => ({ ...line, key: line.key || line.id }));
    }
  },

  // Adds `count` of a product in one spec (its first by default); the same product and spec
  // share a line.
  addToCart(productId, spec, count = 1) {
    const product = products.find((item) => item.id === productId);
    if (!product) {
      return;
    }
    const chosen = spec || (product.specs || [''])[0];
    const key = `${product.id}:${chosen}`;
    const line = this.globalData.cart.find((item) => item.key === key);
    if (line) {
      line.count += count;
    } else {
      this.globalData.cart.push({
        key, id: product.id, title: product.title, thumb: product.thumb, spec: chosen, price: product.price, count
      });
    }
    wx.setStorageSync('cart', this.globalData.cart);
  },

  // What `lines` cost, in yuan.
  cartTotal(lines) {
    return lines.reduce((sum, line) => sum + line.price * line.count, 0);
  },

  cartCount() {
    return this.globalData.cart.reduce((sum, item) => sum + item.count, 0);
  },

  clearCart() {
    this.globalData.cart = [];
    wx.setStorageSync('cart', []);
  },

  // The Cart tab's badge shows how many items are in the cart. Only tab pages may set it, and
  // only a change is sent.
  showCartBadge() {
    const count = this.cartCount();
    if (count === (this.badgeCount || 0)) {
      return;
    }
    this.badgeCount = count;
    if (count > 0) {
      wx.setTabBarBadge({ index: 1, text: count > 99 ? '99+' : String(count) });
    } else {
      wx.removeTabBarBadge({ index: 1 });
    }
  },

  // The shop's own backend: its address comes from the platform (ext config), and it knows
  // the user by the session it gave for a tt.login code.
  call(path, { method = 'GET', data } = {}) {
    const api = (wx.getExtConfigSync() || {}).api;
    return new Promise((resolve, reject) => {
      if (!api) {
        reject(new Error('The shop server is not configured'));
        return;
      }
      wx.request({
        url: api + path,
        method,
        data,
        header: { 'x-session': wx.getStorageSync('session') || '' },
        success: (res) => (res.statusCode === 200 ? resolve(res.data) : reject(new Error((res.data && res.data.error) || `HTTP ${res.statusCode}`))),
        fail: (res) => reject(new Error(res.errMsg))
      });
    });
  },

  // Logs in to the shop's backend once: the code from wx.login is traded there for the openid.
  logIn() {
    if (wx.getStorageSync('session')) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      wx.login({
        success: (res) => {
          const appid = wx.getAccountInfoSync().miniProgram.appId;
          this.call('/api/login', { method: 'POST', data: { appid, code: res.code, anonymous_code: res.anonymousCode } })
            .then((session) => {
              wx.setStorageSync('session', session.session);
              resolve();
            })
            .catch(reject);
        },
        fail: () => reject(new Error('Log in to continue'))
      });
    });
  }
});
