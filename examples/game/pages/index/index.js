// The game: the board lives here, the rules in utils/board.js, the best score in storage.
const { makeRandom, newBoard, move, addTile, canMove, maxTile } = require('../../utils/board.js');

const app = getApp();

// How far (px) a finger must travel on the board to count as a swipe rather than a tap.
const SWIPE = 30;

Page({
  data: {
    cells: [],
    score: 0,
    best: 0,
    over: false,
    won: false,
    submitting: false
  },

  board: null,
  random: null,
  start: null,

  onLoad(query) {
    // A `seed` in the query plays the same game every time (for demos and tests).
    const seed = query && query.seed ? Number(query.seed) : Date.now();
    this.random = makeRandom(seed);
    this.setData({ best: Number(tt.getStorageSync('best')) || 0 });
    this.newGame();
  },

  newGame() {
    this.board = newBoard(this.random);
    this.show({ score: 0, over: false, won: false });
  },

  // The board as the template wants it: sixteen cells, row by row.
  show(changes) {
    const cells = [];
    this.board.forEach((row, r) => row.forEach((value, c) => cells.push({ id: r * 4 + c, value })));
    this.setData(Object.assign({ cells }, changes));
  },

  play(direction) {
    if (this.data.over) {
      return;
    }
    const result = move(this.board, direction);
    if (!result.moved) {
      return;
    }
    this.board = addTile(result.board, this.random);
    const score = this.data.score + result.gained;
    const best = Math.max(score, this.data.best);
    if (best > this.data.best) {
      tt.setStorageSync('best', best);
    }
    const over = !canMove(this.board);
    this.show({ score, best, over, won: maxTile(this.board) >= 2048 });
    // A finished game goes to the leaderboard by itself.
    if (over) {
      this.onSubmit();
    }
  },

  onMove(event) {
    this.play(event.currentTarget.dataset.direction);
  },

  onTouchStart(event) {
    const touch = (event.touches || [])[0];
    this.start = touch ? { x: touch.clientX, y: touch.clientY } : null;
  },

  // The longer axis of the finger's travel is the move.
  onTouchEnd(event) {
    const touch = (event.changedTouches || [])[0];
    const start = this.start;
    this.start = null;
    if (!start || !touch) {
      return;
    }
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    if (Math.max(Math.abs(dx), Math.abs(dy)) < SWIPE) {
      return;
    }
    if (Math.abs(dx) > Math.abs(dy)) {
      this.play(dx > 0 ? 'right' : 'left');
    } else {
      this.play(dy > 0 ? 'down' : 'up');
    }
  },

  onNewGame() {
    this.newGame();
  },

  // The backend keeps each player's best, so sending a lower score again does no harm.
  onSubmit() {
    if (this.data.submitting) {
      return;
    }
    this.setData({ submitting: true });
    const score = this.data.score;
    app.logIn('Log in to submit your score')
      .then(() => this.playerName())
      .then((name) => app.call('/api/scores', { method: 'POST', data: { score, name } }))
      .then(() => {
        app.globalData.lastScore = score;
        this.setData({ submitting: false });
        tt.showToast({ title: 'Score submitted', icon: 'success' });
        tt.navigateTo({ url: '/pages/leaderboard/leaderboard' });
      })
      .catch((error) => {
        this.setData({ submitting: false });
        tt.showToast({ title: error.message, icon: 'none' });
      });
  },

  // The name the leaderboard shows: the player's nickname, asked of the host once and kept;
  // "Player" if they would rather not share it.
  playerName() {
    const kept = tt.getStorageSync('nickname');
    if (kept) {
      return Promise.resolve(kept);
    }
    return new Promise((resolve) => {
      tt.getUserProfile({
        desc: 'Your name on the leaderboard',
        success: (result) => {
          tt.setStorageSync('nickname', result.userInfo.nickName);
          resolve(result.userInfo.nickName);
        },
        fail: () => resolve('Player')
      });
    });
  },

  onLeaderboard() {
    tt.navigateTo({ url: '/pages/leaderboard/leaderboard' });
  }
});
