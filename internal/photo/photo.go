// Package photo cleans photos that strangers upload: it accepts JPEG and
// PNG only, refuses decompression bombs, turns the picture upright, scales
// it down and re-encodes it as JPEG, which drops every piece of metadata
// (EXIF with GPS position, camera serials, thumbnails).
package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // registers the PNG decoder

	_ "golang.org/x/image/webp" // registers the WebP decoder (CleanWeb only)
	"runtime"
	"time"

	"golang.org/x/image/draw"
)

// Errors a caller can show to the person who uploaded.
var (
	ErrEmpty       = errors.New("photo: empty file")
	ErrTooLarge    = errors.New("photo: file too large")
	ErrHEIC        = errors.New("photo: HEIC/HEIF is not supported; send JPEG")
	ErrUnsupported = errors.New("photo: only JPEG and PNG are accepted")
	ErrNotImage    = errors.New("photo: not an image")
	ErrDimensions  = errors.New("photo: picture too large in pixels")
	ErrDecodeSize  = errors.New("photo: picture needs too much memory to decode")
	ErrBusy        = errors.New("photo: too many photos are being processed; try again")
)

// Limits of an accepted photo.
const (
	MaxBytes  = 10 << 20 // upload size
	MaxPixels = 40e6     // decoded size guard
	MaxSide   = 2048     // stored photos are scaled to fit this

	// MaxDecodeBytes bounds the memory one decode may take, estimated
	// from the header before decoding (decodeCost): a 12 MP phone JPEG
	// (4032×3024) needs 18 MB at 4:2:0, 37 MB at 4:4:4 and 91 MB when
	// progressive 4:2:0; a 6324×6324 16-bit RGBA PNG, 300 KB on disk,
	// would need 320 MB.
	MaxDecodeBytes = 96 << 20
	// MaxWait is how long a photo waits for a free decoder before
	// ErrBusy.
	MaxWait = 20 * time.Second
)

// decoders holds one place per core: decoding is CPU-bound, so more at
// once only adds memory.
var decoders = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// Kind sniffs the format from the first bytes: "jpeg", "png", "heic",
// "other" or "".
func Kind(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif":
			return "heic"
		}
	}
	return "other"
}

// Clean validates an uploaded photo and returns it as a metadata-free,
// upright JPEG no larger than MaxSide on its long side. The memory the
// decoder would need is estimated from the header and refused above
// MaxDecodeBytes before anything is decoded; at most one photo per core is
// decoded at once, and a photo that waits longer than MaxWait (or whose ctx
// ends) is refused with ErrBusy.
func Clean(ctx context.Context, b []byte) ([]byte, error) { return clean(ctx, b, false) }

// CleanWeb is Clean that also accepts WebP: the pictures staff put in
// the station's news articles.
func CleanWeb(ctx context.Context, b []byte) ([]byte, error) { return clean(ctx, b, true) }

func clean(ctx context.Context, b []byte, webp bool) ([]byte, error) {
	if len(b) > MaxBytes {
		return nil, ErrTooLarge
	}
	switch Kind(b) {
	case "":
		return nil, ErrEmpty
	case "heic":
		return nil, ErrHEIC
	case "jpeg", "png":
	case "webp":
		if !webp {
			return nil, ErrUnsupported
		}
	default:
		if looksLikeImage(b) {
			return nil, ErrUnsupported
		}
		return nil, ErrNotImage
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return nil, ErrDimensions
	}
	if decodeCost(b, cfg) > MaxDecodeBytes {
		return nil, ErrDecodeSize
	}
	release, err := acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, ErrNotImage
	}
	// Scale before turning: the turned copy is then small too.
	img = fit(img, MaxSide)
	if Kind(b) == "jpeg" {
		img = orient(img, Orientation(b))
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// acquire waits for a free decoder, at most MaxWait and never past the end
// of ctx.
func acquire(ctx context.Context) (release func(), err error) {
	select {
	case decoders <- struct{}{}:
		return func() { <-decoders }, nil
	default:
	}
	t := time.NewTimer(MaxWait)
	defer t.Stop()
	select {
	case decoders <- struct{}{}:
		return func() { <-decoders }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ErrBusy
	}
}

// decodeCost estimates the bytes the standard decoders allocate for a
// picture, from its header only.
func decodeCost(b []byte, cfg image.Config) float64 {
	px := float64(cfg.Width) * float64(cfg.Height)
	switch Kind(b) {
	case "png":
		cost := px * bytesPerPixel(cfg.ColorModel)
		// An interlaced PNG is decoded pass by pass into images of its
		// own, then copied: about twice the memory.
		if len(b) > 28 && b[28] == 1 {
			cost *= 2
		}
		return cost
	case "jpeg":
		return jpegCost(b, px)
	}
	return px * 8
}

// bytesPerPixel is the size of one pixel of the image the decoder
// returns for a color model.
func bytesPerPixel(m color.Model) float64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// jpegCost reads the frame header (SOF) for the components' sampling and
// whether the JPEG is progressive: a progressive JPEG keeps every
// coefficient (4 bytes a sample) besides the image (1 byte a sample). An
// unreadable header is costed as the worst case: 4:4:4 progressive.
func jpegCost(b []byte, px float64) float64 {
	samples, progressive := 3.0, true // per pixel, the worst case
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			break
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xFF {
			i += 2
			if marker == 0xFF {
				i--
			}
			continue
		}
		if marker == 0xDA || marker == 0xD9 {
			break
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			break
		}
		seg := b[i+4 : i+2+size]
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			if s, ok := sofSamples(seg); ok {
				samples = s
				progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
			}
			break
		}
		i += 2 + size
	}
	perSample := 1.0
	if progressive {
		perSample += 4
	}
	if samples == 4 { // CMYK/YCCK: decoded planes, then converted to 4 bytes a pixel
		return px * (samples*perSample + 4)
	}
	return px * samples * perSample
}

// sofSamples is the number of samples per pixel a frame header declares:
// 1 for grey, 1.5 for 4:2:0, 3 for 4:4:4.
func sofSamples(seg []byte) (float64, bool) {
	if len(seg) < 6 {
		return 0, false
	}
	n := int(seg[5])
	if n < 1 || n > 4 || len(seg) < 6+3*n {
		return 0, false
	}
	hmax, vmax := 1, 1
	for c := 0; c < n; c++ {
		f := seg[6+3*c+1]
		hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&0x0F))
	}
	var s float64
	for c := 0; c < n; c++ {
		f := seg[6+3*c+1]
		h, v := int(f>>4), int(f&0x0F)
		if h < 1 || v < 1 {
			return 0, false
		}
		s += float64(h*v) / float64(hmax*vmax)
	}
	return s, true
}

func looksLikeImage(b []byte) bool {
	for _, sig := range [][]byte{[]byte("GIF8"), []byte("RIFF"), []byte("BM"), []byte("II*\x00"), []byte("MM\x00*")} {
		if bytes.HasPrefix(b, sig) {
			return true
		}
	}
	return false
}

// Orientation reads the EXIF orientation (1–8) of a JPEG, 1 when absent or
// unreadable.
func Orientation(b []byte) int {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data starts: no EXIF before it
			return 1
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			v := int(bo.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns img upright for an EXIF orientation.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// fit scales img down so its long side is at most max.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	nw, nh := max, h*max/w
	if h > w {
		nw, nh = w*max/h, max
	}
	dst := image.NewRGBA(image.Rect(0, 0, max1(nw), max1(nh)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
