package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/retry"
	"example.com/quill/internal/storage"
)

// namespaceMarker records the archive layout version of a tenant namespace.
const namespaceMarker = "."

// layoutVersion is the current archive key layout.
const layoutVersion = 3

// Commands is the write side of the archive.
type Commands struct {
	tenant string
	w      storage.Writer
	index  storage.ReadWriter
}

// NewCommands returns the write side; the index is kept through index.
func NewCommands(tenant string, w storage.Writer, index storage.ReadWriter) *Commands {
	return &Commands{tenant: tenant, w: w, index: index}
}

// Init stamps a new tenant namespace with the layout version.
func (c *Commands) Init(ctx context.Context) error {
	stamp := []byte(strconv.Itoa(layoutVersion))
	return c.w.Put(ctx, namespaceMarker, stamp, storage.PutOptions{}) // EXPECT kvlimits
}

func (c *Commands) putIssue(ctx context.Context, iss Issue) error {
	if iss.Tenant != c.tenant {
		return fmt.Errorf("archive: issue of %q published to %q", iss.Tenant, c.tenant)
	}
	b, err := json.Marshal(iss)
	if err != nil {
		return err
	}
	key := keys.Issue{Tenant: iss.Tenant, Number: iss.Number}.String()
	return c.w.Put(ctx, key, b, storage.PutOptions{Metadata: iss.meta()})
}

// Publish adds an issue to the archive.
func (c *Commands) Publish(ctx context.Context, iss Issue) error {
	if err := c.putIssue(ctx, iss); err != nil {
		return err
	}
	if err := c.w.Put(ctx, keys.ArchiveLatest(c.tenant), []byte(strconv.Itoa(iss.Number)), storage.PutOptions{}); err != nil {
		return err
	}
	return c.addToIndex(ctx, iss.ref())
}

func (c *Commands) addToIndex(ctx context.Context, ref Ref) error {
	key := keys.ArchiveIndex(c.tenant)
	return retry.Do(ctx, 3, func(ctx context.Context) error {
		var idx []Ref
		raw, err := c.index.Get(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &idx); err != nil {
				return retry.Stop(fmt.Errorf("archive: corrupt index: %w", err))
			}
		}
		idx = slices.DeleteFunc(idx, func(r Ref) bool { return r.Number == ref.Number })
		idx = append(idx, ref)
		slices.SortFunc(idx, func(a, b Ref) int { return b.Number - a.Number })
		b, err := json.Marshal(idx)
		if err != nil {
			return retry.Stop(err)
		}
		return c.index.Put(ctx, key, b, storage.PutOptions{}) // EXPECT kvrace
	})
}

// Import publishes migrated back-issues and rebuilds the index once.
func (c *Commands) Import(ctx context.Context, issues []Issue) error {
	slices.SortFunc(issues, func(a, b Issue) int { return a.Number - b.Number })
	refs := make([]Ref, 0, len(issues))
	var errs []error
	for _, iss := range issues {
		if err := c.putIssue(ctx, iss); err != nil {
			errs = append(errs, fmt.Errorf("issue %d: %w", iss.Number, err))
			continue
		}
		refs = append(refs, iss.ref())
		latest := []byte(strconv.Itoa(iss.Number))
		if err := c.w.Put(ctx, keys.ArchiveLatest(c.tenant), latest, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	slices.Reverse(refs)
	b, err := json.Marshal(refs)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if err := c.index.Put(ctx, keys.ArchiveIndex(c.tenant), b, storage.PutOptions{}); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
