#!/bin/sh
# Makes the demo apps' icons (128 px PNG: a colour gradient with a letter) from ffmpeg's
# built-in generators and DejaVu Sans Bold. Needs Debian's `ffmpeg` and `fonts-dejavu-core`.
set -eu
cd "$(dirname "$0")"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
make() {
  name=$1; c0=$2; c1=$3; letter=$4
  ffmpeg -loglevel error -y -f lavfi -i "gradients=size=128x128:c0=$c0:c1=$c1:x0=0:y0=0:x1=128:y1=128" \
    -frames:v 1 -vf "drawtext=fontfile=$font:text=$letter:fontsize=84:fontcolor=white:x=(w-text_w)/2:y=(h-text_h)/2" \
    -pix_fmt rgb24 "$name.png"
}
make shop-icon 0xff5a5f 0xffb400 S
make tickets-icon 0x4a148c 0x1e88e5 T
make game-icon 0xedc22e 0xf65e3b 2
ls -l ./*.png
