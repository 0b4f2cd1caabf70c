package analytics

import "context"

// Unique listeners are estimated with a bitmap indexed by a hash of the
// listener (IP hash + user agent). The log processor sets bits offline and
// uploads whole bitmaps; this service only allocates the empty ones.

const (
	showBitmapBytes    = 1 << 25 // 2^28 bits: networks with tens of millions of listeners
	episodeBitmapBytes = 1 << 21 // 2^24 bits
)

type blobStore interface {
	Put(ctx context.Context, key string, val []byte) error
}

// Uniques publishes listener bitmaps.
type Uniques struct{ st blobStore }

// NewUniques returns Uniques over st.
func NewUniques(st blobStore) *Uniques { return &Uniques{st: st} }

// ResetShow starts a new month with an empty show-level bitmap.
func (u *Uniques) ResetShow(ctx context.Context, showID, month string) error {
	bitmap := make([]byte, showBitmapBytes)
	return u.st.Put(ctx, "uniques:show:"+showID+":"+month, bitmap) // EXPECT kvlimits
}

// ResetEpisode starts an episode's bitmap.
func (u *Uniques) ResetEpisode(ctx context.Context, episodeID string) error {
	bitmap := make([]byte, episodeBitmapBytes)
	return u.st.Put(ctx, "uniques:episode:"+episodeID, bitmap)
}
