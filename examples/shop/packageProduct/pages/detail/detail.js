const { findProduct, products } = require('../../../utils/data.js');

const app = getApp();

Page({
  data: {
    product: null,
    photos: [],
    photo: 0,
    played: false,
    logo: 'top left',
    logoX: 0,
    logoY: 0,
    related: [],
    relatedRounds: 0,
    relatedNote: '',
    shared: '',
    spec: '',
    specTitle: 'Style',
    quantity: 1,
    questions: [],
    question: '',
    photosShown: false
  },

  onLoad(query) {
    const product = findProduct(query.id) || null;
    const others = products.filter((item) => item !== product);
    this.setData({
      product,
      spec: (product && product.specs && product.specs[0]) || '',
      specTitle: product && product.category === 'kitchen' ? 'Colour' : 'Style',
      photos: (product && product.photos) || [],
      related: others.map((item) => ({ key: item.id, id: item.id, title: item.title }))
    });
    if (product) {
      wx.setNavigationBarTitle({ title: product.title });
    }
  },

  onPhoto(event) {
    this.setData({ photo: event.detail.current });
  },

  onPlay() {
    this.setData({ played: true });
  },

  onLogo(event) {
    const { x, y } = event.detail;
    this.setData({ logo: `${Math.round(x)}, ${Math.round(y)}` });
  },

  // More suggestions when the row is scrolled to its end (twice at most).
  onMoreRelated() {
    const round = this.data.relatedRounds + 1;
    if (round > 2) {
      this.setData({ relatedNote: 'That is everything.' });
      return;
    }
    const more = products.map((item) => ({ key: `${item.id}-${round}`, id: item.id, title: `${item.title} (set of ${round + 1})` }));
    this.setData({
      related: this.data.related.concat(more),
      relatedRounds: round,
      relatedNote: `Loaded ${more.length} more.`
    });
  },

  // A spec with its own photo turns the gallery to it.
  onSpec(event) {
    const spec = event.currentTarget.dataset.spec;
    const { product } = this.data;
    const index = product.specs.indexOf(spec);
    const update = { spec };
    if (product.photoPerSpec && index < this.data.photos.length) {
      update.photo = index;
    }
    this.setData(update);
  },

  // Tapping a photo opens the host's picture viewer on it.
  onPreview(event) {
    const { photos } = this.data;
    wx.previewImage({ current: photos[event.currentTarget.dataset.index], urls: photos });
  },

  // One to what is in stock.
  onQuantity(event) {
    const quantity = this.data.quantity + event.currentTarget.dataset.delta;
    if (quantity < 1) {
      return;
    }
    if (quantity > this.data.product.stock) {
      wx.showToast({ title: `Only ${this.data.product.stock} in stock`, icon: 'none' });
      return;
    }
    this.setData({ quantity });
  },

  onAdd() {
    app.addToCart(this.data.product.id, this.data.spec, this.data.quantity);
    wx.showToast({ title: 'Added', icon: 'success' });
  },

  // Straight to checkout with what is chosen (and whatever else is in the cart).
  onBuy() {
    app.addToCart(this.data.product.id, this.data.spec, this.data.quantity);
    wx.navigateTo({ url: '/pages/checkout/checkout' });
  },

  // The first long photo has arrived: the loading hint goes.
  onPhotoShown(event) {
    if (!this.data.photosShown && event.detail.width > 0) {
      this.setData({ photosShown: true });
    }
  },

  onQuestionInput(event) {
    this.setData({ question: event.detail.value });
  },

  // Send: the question joins the list and the box empties for the next one.
  onAsk(event) {
    const question = event.detail.value.trim();
    if (!question) {
      return;
    }
    this.setData({ questions: this.data.questions.concat(question), question: '' });
  },

  onShareAppMessage(event) {
    this.setData({ shared: event.from });
    return {
      title: this.data.product ? this.data.product.title : 'Capsule Shop',
      path: `/packageProduct/pages/detail/detail?id=${this.data.product ? this.data.product.id : ''}`
    };
  }
});
