// Package tenancy decides which KV namespace holds a clinic's or a patient's
// data. Clinic data stays in the namespace of the clinic's data region (a
// contractual requirement for the EU clinics); patient-facing data is spread
// over a fixed set of namespaces by a hash of the patient id.
package tenancy

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"

	"example.com/corncrake/internal/kvstore"
)

// Opener opens a store from a DSN; *kvstore.Registry satisfies it.
type Opener interface {
	Open(ctx context.Context, dsn string) (kvstore.Store, error)
}

// Router resolves tenants to stores and caches the opened stores.
type Router struct {
	opener        Opener
	regionDSN     map[string]string
	defaultRegion string
	patientDSNs   []string

	mu     sync.Mutex
	stores map[string]kvstore.Store
}

// NewRouter builds a router. regionDSN maps data regions ("eu", "us", "apac")
// to DSNs; patientDSNs is the fixed, ordered list of patient shards. The order
// of patientDSNs must never change once data has been written.
func NewRouter(o Opener, regionDSN map[string]string, defaultRegion string, patientDSNs []string) *Router {
	return &Router{
		opener:        o,
		regionDSN:     regionDSN,
		defaultRegion: defaultRegion,
		patientDSNs:   patientDSNs,
		stores:        map[string]kvstore.Store{},
	}
}

func (r *Router) open(ctx context.Context, dsn string) (kvstore.Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.stores[dsn]; ok {
		return st, nil
	}
	st, err := r.opener.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	r.stores[dsn] = st
	return st, nil
}

// ForRegion returns the store of a data region, or of the default region.
func (r *Router) ForRegion(ctx context.Context, region string) (kvstore.Store, error) {
	dsn, ok := r.regionDSN[region]
	if !ok {
		dsn, ok = r.regionDSN[r.defaultRegion]
		if !ok {
			return nil, fmt.Errorf("tenancy: no namespace for region %q", region)
		}
	}
	return r.open(ctx, dsn)
}

// ForPatient returns the patient shard for patientID.
func (r *Router) ForPatient(ctx context.Context, patientID string) (kvstore.Store, error) {
	if len(r.patientDSNs) == 0 {
		return nil, fmt.Errorf("tenancy: no patient shards configured")
	}
	h := fnv.New32a()
	h.Write([]byte(patientID))
	return r.open(ctx, r.patientDSNs[h.Sum32()%uint32(len(r.patientDSNs))])
}
