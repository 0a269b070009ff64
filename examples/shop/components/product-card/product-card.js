Component({
  properties: {
    product: {
      type: Object,
      value: {}
    }
  },

  methods: {
    onOpen() {
      this.triggerEvent('open', { id: this.data.product.id });
    },

    onAdd() {
      this.triggerEvent('add', { id: this.data.product.id });
    }
  }
});
