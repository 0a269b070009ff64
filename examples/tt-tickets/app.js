App({
  globalData: {
    city: 'Shanghai',
    lastOrder: null
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
  }
});
