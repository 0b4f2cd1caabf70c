//go:build !js

// Package nutrition stores printable nutrition labels. Labels are SVG,
// compressed and base64-encoded so the Worker can stream them as text.
package nutrition

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"brambling/internal/codec"
	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

// allergenNotice is printed under every label and copied into the key's
// metadata so the Worker can show it next to the download link.
const allergenNotice = "Our kits are packed in a kitchen that also handles celery, cereals containing gluten " +
	"(wheat, rye, barley, oats), crustaceans, eggs, fish, lupin, milk, molluscs, mustard, tree nuts " +
	"(almonds, hazelnuts, walnuts, cashews, pecans, Brazil nuts, pistachios, macadamia nuts), peanuts, " +
	"sesame seeds, soybeans and sulphur dioxide and sulphites at concentrations of more than ten parts per " +
	"million. Although we take every care to keep ingredients separate, we cannot guarantee that any kit is " +
	"free from traces of these allergens. Recipes are reviewed by our nutrition team each season and values " +
	"are calculated from supplier data for the ingredients as delivered, before cooking; the figures you get " +
	"at home depend on portioning, cooking method and any substitutions you make. Reference intake of an " +
	"average adult is 8400 kJ / 2000 kcal. If you have a severe allergy, please read the ingredient list on " +
	"each pouch before cooking and contact our support team with any questions about a specific recipe. " +
	"Ingredient suppliers may change between weeks when an item is out of season; we update the label the " +
	"same day and your order confirmation always links to the version that matches the contents of your box."

// Label is one kit's label in one locale.
type Label struct {
	Kit    string
	Locale string
	SVG    []byte
	KCal   int
}

// Shelf writes and exports labels.
type Shelf struct {
	KV  *kvstore.Store
	Cfg *config.Config
	log *slog.Logger
}

func New(kv *kvstore.Store, cfg *config.Config) *Shelf {
	return &Shelf{KV: kv, Cfg: cfg, log: slog.Default().With("svc", "nutrition")}
}

// Publish stores a label with its allergen notice as metadata.
func (s *Shelf) Publish(ctx context.Context, l Label) error {
	packed, err := codec.Packed(l.SVG)
	if err != nil {
		return err
	}
	api, account, ns := s.KV.Client()
	_, err = api.KV.Namespaces.Values.Update(ctx, ns, url.PathEscape(keys.Label(l.Kit, l.Locale)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(packed),
		ExpirationTTL: cloudflare.F(float64(s.Cfg.LabelTTL)), // EXPECT kvttl
		Metadata: cloudflare.F[any](map[string]any{ // EXPECT kvlimits
			"kcal":   l.KCal,
			"notice": allergenNotice,
		}),
	})
	return err
}

// PublishCompact stores a label with only the figures as metadata; the
// notice is served from the menu bundle.
func (s *Shelf) PublishCompact(ctx context.Context, l Label) error {
	packed, err := codec.Packed(l.SVG)
	if err != nil {
		return err
	}
	api, account, ns := s.KV.Client()
	_, err = api.KV.Namespaces.Values.Update(ctx, ns, url.PathEscape(keys.Label(l.Kit, l.Locale)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(packed),
		ExpirationTTL: cloudflare.F(s.Cfg.LabelTTL.Seconds()),
		Metadata:      cloudflare.F[any](map[string]any{"kcal": l.KCal, "locale": l.Locale}),
	})
	return err
}

// Export writes every label of a locale to w as kit,base64 lines.
func (s *Shelf) Export(ctx context.Context, locale string, w io.Writer) error {
	cursor := ""
	for page := 0; page < s.Cfg.MaxPages; page++ {
		p, err := s.KV.ListPage(ctx, "label/", cursor, 1000)
		if err != nil {
			return err
		}
		for _, name := range p.Names {
			if !strings.HasSuffix(name, "/"+strings.ToLower(locale)) {
				continue
			}
			raw, found, err := s.KV.Get(ctx, name) // EXPECT kvlist
			if err != nil || !found {
				continue
			}
			fmt.Fprintln(w, codec.CSVLine(name, string(raw)))
		}
		if p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	return fmt.Errorf("nutrition: export stopped after %d pages", s.Cfg.MaxPages)
}

// Count returns how many labels are stored.
func (s *Shelf) Count(ctx context.Context) (int, error) {
	api, account, ns := s.KV.Client()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("label/"),
	})
	n := 0
	for iter.Next() {
		n++
	}
	return n, iter.Err()
}

// Sample returns up to max label keys for the QA spot check.
func (s *Shelf) Sample(ctx context.Context, max int) ([]string, error) {
	api, account, ns := s.KV.Client()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("label/"),
		Limit:     cloudflare.F(100.0),
	})
	var out []string
	for len(out) < max && iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// Peek returns the first few label keys for the dashboard tile.
func (s *Shelf) Peek(ctx context.Context) ([]string, error) {
	api, account, ns := s.KV.Client()
	res, err := api.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("label/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// Import loads labels from a supplier feed and reports progress so the
// back office can show a progress bar.
func (s *Shelf) Import(ctx context.Context, jobID string, labels []Label) error {
	progress := "label/import/" + jobID + "/progress"
	var errs []error
	for i, l := range labels {
		errs = append(errs, s.PublishCompact(ctx, l))
		_ = s.KV.Put(ctx, progress, []byte(strconv.Itoa(i+1)+"/"+strconv.Itoa(len(labels))), time.Hour) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// ImportQuiet is Import for large feeds: progress every thousand labels.
func (s *Shelf) ImportQuiet(ctx context.Context, jobID string, labels []Label) error {
	progress := "label/import/" + jobID + "/progress"
	var errs []error
	for i, l := range labels {
		errs = append(errs, s.PublishCompact(ctx, l))
		if (i+1)%1000 == 0 {
			_ = s.KV.Put(ctx, progress, []byte(strconv.Itoa(i+1)), time.Hour) // DEBATABLE kvhotkey
		}
	}
	return errors.Join(errs...)
}

// RecordDownloads folds a batch of download events from the log
// pipeline into the running totals and publishes them for the Worker.
func (s *Shelf) RecordDownloads(ctx context.Context, totals map[string]int, events []string) error {
	for _, kit := range events {
		totals[kit]++
	}
	var errs []error
	for kit, n := range totals {
		errs = append(errs, s.KV.Put(ctx, "label/"+kit+"/downloads", []byte(strconv.Itoa(n)), 0)) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// Reindex recomputes kcal figures for each kit and records when the last
// kit finished.
func (s *Shelf) Reindex(ctx context.Context, kits []string, recompute func(kit string) error) error {
	var errs []error
	for _, kit := range kits {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("reindex %s: %v", kit, r)
				}
			}()
			defer s.KV.Put(ctx, "label/reindex/last-kit", []byte(kit), 0) // EXPECT kvhotkey
			return recompute(kit)
		}()
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
