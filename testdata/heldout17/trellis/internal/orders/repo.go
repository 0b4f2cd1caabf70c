package orders

import (
	"context"
	"time"

	"example.com/trellis/internal/codec"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// archiveRetention is how long finished orders stay in the archive.
const archiveRetention = 400 * 24 * time.Hour

// orderMeta travels with each order key so listings can show status without reading every order.
type orderMeta struct {
	Status Status `json:"s"`
	Total  int64  `json:"t"`
}

type Repository struct {
	st    kvstore.Store
	codec codec.JSON[Order]
}

func NewRepository(st kvstore.Store) *Repository { return &Repository{st: st} }

func orderKey(o Order) string { return keys.Order{Tenant: keys.TenantID(o.Tenant), ID: o.ID}.String() }

// Load returns the order under k.
func (r *Repository) Load(ctx context.Context, k keys.Order) (Order, error) {
	raw, err := r.st.Get(ctx, k.String())
	if kvstore.IsNotFound(err) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, err
	}
	return r.codec.Decode(raw)
}

// Save writes o.
func (r *Repository) Save(ctx context.Context, o Order) error {
	raw, err := r.codec.Encode(o)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, orderKey(o), raw, kvstore.PutOptions{Metadata: orderMeta{Status: o.Status, Total: o.TotalCents}})
}

// ArchivingRepository is a Repository that also copies orders reaching a final status into the long-term archive.
type ArchivingRepository struct {
	*Repository
	archive kvstore.Store
}

func NewArchivingRepository(base *Repository, archive kvstore.Store) *ArchivingRepository {
	return &ArchivingRepository{Repository: base, archive: archive}
}

// Save writes o and, for finished orders, its archive copy.
func (a *ArchivingRepository) Save(ctx context.Context, o Order) error {
	if err := a.Repository.Save(ctx, o); err != nil || !o.Status.Terminal() {
		return err
	}
	raw, err := a.codec.Encode(o)
	if err != nil {
		return err
	}
	return a.archive.Put(ctx, orderKey(o), raw, kvstore.PutOptions{TTL: archiveRetention})
}
