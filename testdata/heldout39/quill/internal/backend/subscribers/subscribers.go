// Package subscribers manages writers' subscriber lists over the REST API.
package subscribers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"quill/internal/config"
	"quill/internal/keys"
	"quill/internal/kvstore"
	"quill/internal/tier"
)

// Record is one subscriber of one writer.
type Record struct {
	Email string    `json:"email"`
	Tier  string    `json:"tier"`
	Since time.Time `json:"since"`
	Tags  []string  `json:"tags,omitempty"`
}

// Offer is a paid plan a writer sells.
type Offer struct {
	Name  string `json:"name"`
	Tier  string `json:"tier"`
	Cents int    `json:"cents"`
}

// NotSubscribedError is returned when an address is not on a writer's list.
type NotSubscribedError struct{ Writer, Email string }

func (e *NotSubscribedError) Error() string {
	return fmt.Sprintf("%s is not subscribed to %s", e.Email, e.Writer)
}

type Service struct {
	tenants *kvstore.Tenants
	api     *kv.NamespaceService
	cfg     config.Config
}

func New(client *cloudflare.Client, tenants *kvstore.Tenants, cfg config.Config) *Service {
	return &Service{tenants: tenants, api: client.KV.Namespaces, cfg: cfg}
}

func (s *Service) namespaceID(writer string) string {
	if id, ok := s.cfg.Namespaces.Tenants[writer]; ok {
		return id
	}
	return s.cfg.Namespaces.Default
}

// update applies fn to a subscriber's record.
func (s *Service) update(ctx context.Context, writer, email string, fn func(*Record)) error {
	st := s.tenants.For(writer)
	key := keys.Subscriber(writer, email)
	raw, found, err := st.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("subscribers: read %s: %w", key, err)
	}
	if !found {
		return &NotSubscribedError{Writer: writer, Email: email}
	}
	var rec Record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return fmt.Errorf("subscribers: decode %s: %w", key, err)
	}
	fn(&rec)
	b, _ := json.Marshal(rec)
	if err := st.Put(ctx, key, string(b), 0); err != nil { // EXPECT kvrace
		return fmt.Errorf("subscribers: write %s: %w", key, err)
	}
	return nil
}

// SetTier changes a subscriber's tier after a payment or a refund.
func (s *Service) SetTier(ctx context.Context, writer, email string, t tier.Tier) error {
	return s.update(ctx, writer, email, func(r *Record) { r.Tier = t.String() })
}

// AddOffer appends a paid plan to the writer's offers.
func (s *Service) AddOffer(ctx context.Context, writer string, offer Offer) error {
	st := s.tenants.For(writer)
	key := "offers/" + writer
	raw, found, err := st.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("subscribers: offers of %s: %w", writer, err)
	}
	var offers []Offer
	if found {
		if err := json.Unmarshal([]byte(raw), &offers); err != nil {
			return fmt.Errorf("subscribers: offers of %s: %w", writer, err)
		}
	}
	b, _ := json.Marshal(append(offers, offer))
	return st.Put(ctx, key, string(b), 0) // EXPECT kvrace
}

type ImportReport struct {
	Imported int
	Skipped  []string
}

// Import reads a CSV of email[,tier] rows into writer's list and publishes
// its progress for the dashboard.
func (s *Service) Import(ctx context.Context, writer string, r io.Reader) (ImportReport, error) {
	var rep ImportReport
	st := s.tenants.For(writer)
	progressKey := "import:" + writer + ":progress"
	batch := make([]kvstore.Item, 0, s.cfg.Scheduler.ImportBatch)
	flush := func() error {
		err := kvstore.PutAll(ctx, st, 0, batch...)
		if err == nil {
			rep.Imported += len(batch)
		}
		batch = batch[:0]
		return err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	now := time.Now().UTC()
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return rep, fmt.Errorf("subscribers: import: %w", err)
		}
		addr, err := mail.ParseAddress(strings.TrimSpace(row[0]))
		t := tier.Free
		if err == nil && len(row) > 1 {
			t, err = tier.Parse(row[1])
		}
		if err != nil {
			rep.Skipped = append(rep.Skipped, row[0])
			continue
		}
		b, _ := json.Marshal(Record{Email: strings.ToLower(addr.Address), Tier: t.String(), Since: now})
		batch = append(batch, kvstore.Item{Key: keys.Subscriber(writer, addr.Address), Value: string(b)})
		if err := st.Put(ctx, progressKey, addr.Address, 24*time.Hour); err != nil { // EXPECT kvhotkey
			return rep, err
		}
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	go func() {
		_ = s.tenants.Shared().Put(context.WithoutCancel(ctx), keys.Writer(writer)+":imported", now.Format(time.RFC3339), 0)
	}()
	return rep, nil
}

// Export writes every subscriber address of writer as CSV.
func (s *Service) Export(ctx context.Context, writer string, w io.Writer) error {
	prefix := keys.SubscriberPrefix(writer)
	iter := s.api.Keys.ListAutoPaging(ctx, s.namespaceID(writer), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	cw := csv.NewWriter(w)
	for iter.Next() {
		if err := cw.Write([]string{strings.TrimPrefix(iter.Current().Name, prefix)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return errors.Join(iter.Err(), cw.Error())
}
