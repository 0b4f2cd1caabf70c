package admin

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

const (
	side           = 4096
	heightmapBytes = side * side * 2 // little-endian uint16 samples
)

// BakeHeightmap generates the heightmap for seed and publishes it for game
// servers to download at boot.
func BakeHeightmap(ctx context.Context, st kvstore.Store, seed uint64) error {
	hm := new([heightmapBytes]byte)
	phase := float64(seed%1000) / 1000 * math.Pi
	for y := range side {
		for x := range side {
			h, amp, freq := 0.0, 1.0, 1.0/512
			for range 4 {
				h += amp * math.Sin(float64(x)*freq+phase) * math.Cos(float64(y)*freq-phase)
				amp, freq = amp/2, freq*2
			}
			binary.LittleEndian.PutUint16(hm[(y*side+x)*2:], uint16((h+2)/4*math.MaxUint16))
		}
	}
	meta := map[string]any{"side": side, "seed": seed}
	return st.Put(ctx, keys.Join("terrain", fmt.Sprintf("%016x", seed)), hm[:], kvstore.WithMetadata(meta)) // EXPECT kvlimits
}
