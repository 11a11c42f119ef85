package photo

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"runtime"
	"sync"
	"testing"
)

// pngChunk frames one PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a PNG of w×h pixels of the given depth and colour type whose
// first rows of zeros are compressed into a few kilobytes: small on disk,
// huge once decoded. rows bounds how much image data is written (the rest
// is missing, which a decoder only finds after allocating the image).
func pngBomb(t testing.TB, w, h uint32, depth, colorType, interlace byte, rows int) []byte {
	t.Helper()
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	stride := 1 + int(w)*channels*int(depth)/8
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.DefaultCompression)
	zero := make([]byte, stride)
	for range rows {
		zw.Write(zero)
	}
	zw.Close()
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	if colorType == 3 {
		out = append(out, pngChunk("PLTE", []byte{0, 0, 0})...)
	}
	out = append(out, pngChunk("IDAT", idat.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// jpegHeader re-labels a small JPEG as w×h; with progressive the frame
// header says SOF2. The scan data stays that of the small picture.
func jpegHeader(t testing.TB, w, h uint16, progressive bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	i := bytes.Index(raw, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	if progressive {
		raw[i+1] = 0xC2
	}
	binary.BigEndian.PutUint16(raw[i+5:], h)
	binary.BigEndian.PutUint16(raw[i+7:], w)
	return raw
}

// bombs are pictures small on disk that would take far more memory to
// decode than MaxDecodeBytes, or claim impossible sizes, or are cut off.
func bombs(t testing.TB) map[string][]byte {
	bombsOnce.Do(func() { bombsMade = makeBombs(t) })
	return bombsMade
}

var (
	bombsOnce sync.Once
	bombsMade map[string][]byte
)

func makeBombs(t testing.TB) map[string][]byte {
	// The reported header (16-bit RGBA, 6324×6324); its rows of zeros
	// would compress to ~300 KB, a few of them are enough: a decoder
	// allocates the whole image before it finds the rest missing.
	rgba64 := pngBomb(t, 6324, 6324, 16, 6, 0, 64)
	return map[string][]byte{
		"png rgba64 6324²":           rgba64,
		"png rgba64 6324² truncated": rgba64[:len(rgba64)/2],
		"png rgba64 6324² header":    rgba64[:33],
		"png rgba 6000² interlaced":  pngBomb(t, 6000, 6000, 8, 6, 1, 16),
		"png rgb48 6324²":            pngBomb(t, 6324, 6324, 16, 2, 0, 16),
		"png 100000²":                pngBomb(t, 100000, 100000, 8, 0, 0, 1),
		"png 1×40000001":             pngBomb(t, 1, 40000001, 8, 0, 0, 1),
		"jpeg 65535²":                jpegHeader(t, 65535, 65535, false),
		"jpeg 6000² progressive":     jpegHeader(t, 6000, 6000, true),
		"jpeg 0×0":                   jpegHeader(t, 0, 0, false),
	}
}

// TestCleanRefusesBombsWithoutDecoding is the reported attack: a 16-bit
// RGBA PNG of 6324×6324 under the pixel limit, ~300 KB on disk, took
// 800 MB to decode. Each bomb is refused from its header, allocating
// little.
func TestCleanRefusesBombsWithoutDecoding(t *testing.T) {
	for name, b := range bombs(t) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Clean(context.Background(), b)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrDecodeSize) && !errors.Is(err, ErrDimensions) && !errors.Is(err, ErrNotImage) {
			t.Errorf("%s: %v", name, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Errorf("%s (%d bytes on disk): %v after allocating %d MB", name, len(b), err, got>>20)
		}
	}
	if _, err := Clean(context.Background(), bombs(t)["png rgba64 6324²"]); !errors.Is(err, ErrDecodeSize) {
		t.Errorf("reported bomb: %v, want ErrDecodeSize", err)
	}
}

// A normal phone photo stays within the decode budget, in every layout a
// phone or an editor saves it.
func TestDecodeCostPhonePhotoFits(t *testing.T) {
	for name, b := range map[string][]byte{
		"jpeg 12 MP 4:2:0":             jpegHeader(t, 4032, 3024, false),
		"jpeg 12 MP 4:2:0 progressive": jpegHeader(t, 4032, 3024, true),
		"png rgba 12 MP":               pngBomb(t, 4032, 3024, 8, 6, 0, 1),
	} {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatal(name, err)
		}
		if c := decodeCost(b, cfg); c > MaxDecodeBytes || c < float64(cfg.Width*cfg.Height) {
			t.Errorf("%s: cost %.0f MB, budget %d MB", name, c/(1<<20), MaxDecodeBytes>>20)
		}
	}
}

// When every decoder is taken, a photo whose request gave up is refused
// as busy instead of waiting.
func TestCleanBusy(t *testing.T) {
	for range cap(decoders) {
		decoders <- struct{}{}
	}
	defer func() {
		for range cap(decoders) {
			<-decoders
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Clean(ctx, exifJPEG(t, 8, 8, 1)); !errors.Is(err, ErrBusy) {
		t.Fatalf("all decoders taken: %v, want ErrBusy", err)
	}
}
