// Package barcode hands out tube barcodes to samples and prints labels.
package barcode

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/pylon/internal/cache"
	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// ErrClaimed is returned when a barcode already belongs to another sample.
var ErrClaimed = errors.New("barcode: already claimed")

// ErrInvalid is returned for codes that fail the check digit.
var ErrInvalid = errors.New("barcode: invalid check digit")

// Claim binds a printed barcode to a sample.
type Claim struct {
	Code      string    `kvmeta:"-"`
	SampleID  string    `kvmeta:"s"`
	ClaimedBy string    `kvmeta:"by"`
	At        time.Time `kvmeta:"t"`
}

// Tube is the LIMS record for a tube type, cached in KV.
type Tube struct {
	Prefix    string
	Additive  string
	VolumeML  float64
	Container string
}

// TubeSource loads tube types from the LIMS.
type TubeSource func(ctx context.Context, prefix string) (Tube, error)

// Registry manages claims.
type Registry struct {
	claims *repo.Repo[Claim]
	labels storage.Writer
	tubes  *cache.ReadThrough[Tube]
	now    func() time.Time
}

// NewRegistry wires a Registry. Tube types change a few times a year, so a
// short cache TTL only costs reads.
func NewRegistry(store storage.ReadWriter, tubes TubeSource) *Registry {
	return &Registry{
		claims: repo.New[Claim](store, "claim:"),
		labels: store,
		tubes:  cache.New(store, "tube:", 30*time.Second, repo.JSON[Tube]{}, cache.Loader[Tube](tubes)),
		now:    time.Now,
	}
}

// Valid checks the mod-10 check digit of a numeric barcode body.
func Valid(code string) bool {
	code = strings.TrimSpace(code)
	if len(code) < 4 {
		return false
	}
	sum := 0
	for i, r := range code {
		if r < '0' || r > '9' {
			return false
		}
		d := int(r - '0')
		if (len(code)-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Claim binds code to sampleID. Claiming the same pair twice is a no-op.
func (r *Registry) Claim(ctx context.Context, code, sampleID, by string) error {
	if !Valid(code) {
		return ErrInvalid
	}
	existing, err := r.claims.Find(ctx, code)
	if err != nil {
		return err
	}
	if c, ok := existing.Get(); ok {
		if c.SampleID == sampleID {
			return nil
		}
		return fmt.Errorf("%w by sample %s", ErrClaimed, c.SampleID)
	}
	return r.claims.Save(ctx, code, Claim{Code: code, SampleID: sampleID, ClaimedBy: by, At: r.now().UTC()}) // EXPECT kvrace
}

// Reassign moves a barcode to another sample; supervisors use it to fix
// scanning mistakes. The new claim does not depend on the old one.
func (r *Registry) Reassign(ctx context.Context, code, sampleID, supervisor string) error {
	return r.claims.Save(ctx, code, Claim{Code: code, SampleID: sampleID, ClaimedBy: supervisor, At: r.now().UTC()})
}

// Lookup returns the claim for a code, if any.
func (r *Registry) Lookup(ctx context.Context, code string) (fp.Option[Claim], error) {
	return r.claims.Find(ctx, code)
}

// Tube returns the tube type for a barcode prefix.
func (r *Registry) Tube(ctx context.Context, code string) (Tube, error) {
	if len(code) < 3 {
		return Tube{}, ErrInvalid
	}
	return r.tubes.Get(ctx, code[:3])
}
