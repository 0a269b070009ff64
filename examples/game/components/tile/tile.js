// One numbered tile on the board. Its styles are shared with the page (styleIsolation 'shared'
// in tile.json): the tiles' palette it imports also colours the page's logo, drawn as the
// 2048 tile.
Component({
  properties: {
    value: { type: Number, value: 0 }
  }
});
