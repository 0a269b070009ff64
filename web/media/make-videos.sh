#!/bin/sh
# Makes the demo feed's short videos (vertical, 4 s, a few dozen KB each) from ffmpeg's
# built-in generators, so the repository carries its own media. Needs Debian's `ffmpeg`.
set -eu
cd "$(dirname "$0")"
make() {
  name=$1; source=$2
  ffmpeg -loglevel error -y -f lavfi -i "$source" -t 4 -vf "scale=360:640,format=yuv420p" \
    -c:v libx264 -preset veryslow -crf 38 -an -movflags +faststart "$name.mp4"
}
make shop-promo "gradients=size=360x640:rate=24:c0=0xff5a5f:c1=0xffb400:c2=0x4a148c:speed=0.03"
make tickets-promo "mandelbrot=size=360x640:rate=24"
make city-walk "life=size=90x160:rate=12:mold=10:ratio=0.3:death_color=#203040:life_color=#90e0ff,scale=360:640:flags=neighbor"
make night-sky "cellauto=size=360x640:rate=24:rule=110"
make game-promo "gradients=size=360x640:rate=24:c0=0xedc22e:c1=0xf65e3b:c2=0xeee4da:c3=0xbbada0:nb_colors=4:type=radial:speed=0.05"
ls -l ./*.mp4
