package invoicing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"kinglet/internal/kvstore"
)

// Line is one invoice line.
type Line struct {
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitCents   int64  `json:"unit_cents"`
}

// Draft is an invoice that has not been issued yet.
type Draft struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Currency   string    `json:"currency"`
	Lines      []Line    `json:"lines"`
	DueDays    int       `json:"due_days"`
	UpdatedAt  time.Time `json:"updated_at"`
	Number     string    `json:"number,omitempty"`
}

// TotalCents sums the draft's lines.
func (d Draft) TotalCents() int64 {
	var t int64
	for _, l := range d.Lines {
		t += int64(l.Quantity) * l.UnitCents
	}
	return t
}

// DraftStore keeps drafts in KV and runs registered hooks around writes.
type DraftStore struct {
	Store     *kvstore.Store
	Namespace string
	TTL       time.Duration

	beforeSave  []func(*Draft) error
	afterDelete []func(ctx context.Context, d Draft) error
}

// BeforeSave registers a hook that runs, in order, before a draft is saved.
func (s *DraftStore) BeforeSave(fn func(*Draft) error) { s.beforeSave = append(s.beforeSave, fn) }

// AfterDelete registers a hook that runs, in order, after a draft is deleted.
func (s *DraftStore) AfterDelete(fn func(ctx context.Context, d Draft) error) {
	s.afterDelete = append(s.afterDelete, fn)
}

func draftKey(customerID, id string) string {
	return fmt.Sprintf("draft:%s:%s", customerID, id)
}

// Load returns a draft.
func (s *DraftStore) Load(ctx context.Context, customerID, id string) (Draft, error) {
	var d Draft
	err := s.Store.GetJSON(ctx, s.Namespace, draftKey(customerID, id), &d)
	return d, err
}

// Save runs the beforeSave hooks and stores the draft.
func (s *DraftStore) Save(ctx context.Context, d *Draft) error {
	for _, h := range s.beforeSave {
		if err := h(d); err != nil {
			return err
		}
	}
	return s.Store.PutJSON(ctx, s.Namespace, draftKey(d.CustomerID, d.ID), d, s.TTL)
}

// Delete removes a draft and runs the afterDelete hooks.
func (s *DraftStore) Delete(ctx context.Context, customerID, id string) error {
	d, err := s.Load(ctx, customerID, id)
	if err != nil {
		return err
	}
	if err := s.Store.Delete(ctx, s.Namespace, draftKey(customerID, id)); err != nil {
		return err
	}
	var errs []error
	for _, h := range s.afterDelete {
		errs = append(errs, h(ctx, d))
	}
	return errors.Join(errs...)
}

// ValidateDraft is a beforeSave hook.
func ValidateDraft(d *Draft) error {
	if d.CustomerID == "" || d.ID == "" {
		return errors.New("draft needs customer and id")
	}
	if len(d.Lines) == 0 {
		return errors.New("draft has no lines")
	}
	d.Currency = strings.ToUpper(d.Currency)
	return nil
}

// StampDraft is a beforeSave hook.
func StampDraft(d *Draft) error {
	d.UpdatedAt = time.Now().UTC()
	return nil
}

// DropRenderedPDF returns an afterDelete hook that removes the cached PDF.
func DropRenderedPDF(store *kvstore.Store, namespaceID string) func(context.Context, Draft) error {
	return func(ctx context.Context, d Draft) error {
		return store.Delete(ctx, namespaceID, fmt.Sprintf("pdf:%s:%s", d.CustomerID, d.ID))
	}
}

// AuditTrail returns an afterDelete hook that records the deletion in the
// customer's plain-text audit log.
func AuditTrail(store *kvstore.Store, namespaceID string) func(context.Context, Draft) error {
	return func(ctx context.Context, d Draft) error {
		key := "audit:" + d.CustomerID
		old, err := store.Get(ctx, namespaceID, key)
		if err != nil && !kvstore.IsNotFound(err) {
			return err
		}
		line := fmt.Sprintf("%s draft %s deleted (%d lines)", time.Now().UTC().Format(time.RFC3339), d.ID, len(d.Lines))
		next := string(old) + line + "\n"
		return store.Put(ctx, namespaceID, key, []byte(next), 0) // EXPECT kvrace
	}
}
