//go:build !js

// Package enforcement serves parking officers: plate checks, citations and
// handheld synchronisation.
package enforcement

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"golang.org/x/sync/errgroup"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
	"github.com/cityparking/nuthatch/internal/permits"
)

// Scanner answers "may this plate park here now?".
type Scanner struct {
	Tenants *kvstore.Registry
	Permits *permits.Finder
	Clock   clock.Clock

	// Legacy is the fleet office's shared namespace of exempt vehicles.
	Legacy struct {
		Client      *cloudflare.Client
		AccountID   string
		NamespaceID string
	}

	mu    sync.Mutex
	tally map[string]int
}

type evidence struct {
	source  string
	verdict domain.Verdict
	detail  string
}

// Check looks the plate up in every source concurrently.
func (s *Scanner) Check(ctx context.Context, city, zone, plate string) (domain.Verdict, []string, error) {
	t, err := s.Tenants.For(city)
	if err != nil {
		return "", nil, err
	}
	now := s.Clock.Now()

	var (
		mu    sync.Mutex
		found []evidence
	)
	add := func(e evidence) {
		mu.Lock()
		defer mu.Unlock()
		found = append(found, e)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(3)
	g.Go(func() error {
		p, err := s.Permits.FindByPlate(gctx, city, plate)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if p.Active(now) && (p.Zone == zone || p.Kind == permits.KindBusiness) {
			add(evidence{"permit", domain.VerdictPermit, p.ID})
		}
		return nil
	})
	g.Go(func() error {
		raw, err := t.KV.Get(gctx, kvkeys.ParkingKey{City: city, Zone: zone, Plate: plate}.String())
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var sess struct {
			EndsAt time.Time `json:"ends_at"`
		}
		if err := json.Unmarshal(raw, &sess); err != nil {
			return err
		}
		if now.Before(sess.EndsAt) {
			add(evidence{"parking", domain.VerdictPaid, sess.EndsAt.Format(time.Kitchen)})
		}
		return nil
	})
	g.Go(func() error {
		ok, err := s.legacyExempt(gctx, plate)
		if err != nil {
			return err
		}
		if ok {
			add(evidence{"exempt", domain.VerdictExempt, "fleet"})
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return "", nil, err
	}

	s.count(city + "/" + zone)
	if len(found) == 0 {
		return domain.VerdictViolate, nil, nil
	}
	details := make([]string, 0, len(found))
	for _, e := range found {
		details = append(details, e.source+":"+e.detail)
	}
	return found[0].verdict, details, nil
}

func (s *Scanner) legacyExempt(ctx context.Context, plate string) (bool, error) {
	res, err := s.Legacy.Client.KV.Namespaces.Values.Get(ctx, s.Legacy.NamespaceID, "exempt/"+kvkeys.NormalizePlate(plate), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.Legacy.AccountID),
	})
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return false, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return true, nil
	}
	return false, nil
}

func (s *Scanner) count(zone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tally == nil {
		s.tally = make(map[string]int)
	}
	s.tally[zone]++
}

// FlushTally publishes the number of checks per zone for today's dashboard.
func (s *Scanner) FlushTally(ctx context.Context, city string) error {
	t, err := s.Tenants.For(city)
	if err != nil {
		return err
	}
	s.mu.Lock()
	snapshot := s.tally
	s.tally = make(map[string]int)
	s.mu.Unlock()

	day := s.Clock.Now().Format("2006-01-02")
	for zone, n := range snapshot {
		key := path.Join("count", "checks", zone, day)
		if err := t.KV.Put(ctx, key, []byte(strconv.Itoa(n)), 72*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Citation is a parking ticket.
type Citation struct {
	ID        string    `json:"id"`
	City      string    `json:"city"`
	Zone      string    `json:"zone"`
	Plate     string    `json:"plate"`
	Officer   string    `json:"officer"`
	Code      string    `json:"code"`
	FineCents int64     `json:"fine_cents"`
	IssuedAt  time.Time `json:"issued_at"`
	DueAt     time.Time `json:"due_at"`
}

// VehicleHistory lists the citations of a plate.
type VehicleHistory struct {
	Plate     string   `json:"plate"`
	Citations []string `json:"citations"`
	Unpaid    int64    `json:"unpaid_cents"`
}

// IssueCitation writes a citation and adds it to the vehicle's history.
func (s *Scanner) IssueCitation(ctx context.Context, c Citation) (*Citation, error) {
	t, err := s.Tenants.For(c.City)
	if err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	c.ID = "cit_" + hex.EncodeToString(b[:])
	c.IssuedAt = s.Clock.Now()
	c.DueAt = c.IssuedAt.AddDate(0, 0, 21)
	body, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := t.KV.Put(ctx, kvkeys.CitationKey{City: c.City, ID: c.ID}.String(), body, 0); err != nil {
		return nil, err
	}
	return &c, s.appendHistory(ctx, t, c)
}

func (s *Scanner) appendHistory(ctx context.Context, t *kvstore.Tenant, c Citation) error {
	key := kvkeys.VehicleKey{City: c.City, Plate: c.Plate}.String()
	h := VehicleHistory{Plate: c.Plate}
	raw, err := t.KV.Get(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &h); err != nil {
			return err
		}
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	h.Citations = append(h.Citations, c.ID)
	h.Unpaid += c.FineCents
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return t.KV.Put(ctx, key, body, 0) // EXPECT kvrace
}

// AddNote appends an officer's remark to a citation's notes.
func (s *Scanner) AddNote(ctx context.Context, city, citationID, officer, note string) error {
	t, err := s.Tenants.For(city)
	if err != nil {
		return err
	}
	key := kvkeys.CitationKey{City: city, ID: citationID}.String() + "/notes"
	prev, err := t.KV.Get(ctx, key)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s\n", s.Clock.Now().Format(time.RFC3339), officer, note)
	return t.KV.Put(ctx, key, append(prev, line...), 0) // EXPECT kvrace
}

// Scan is one plate read uploaded by a handheld.
type Scan struct {
	ID    string    `json:"id"`
	Zone  string    `json:"zone"`
	Plate string    `json:"plate"`
	At    time.Time `json:"at"`
	Lat   float64   `json:"lat"`
	Lng   float64   `json:"lng"`
}

// HandheldBatch is what a handheld uploads when it regains connectivity.
type HandheldBatch struct {
	City    string `json:"city"`
	Officer string `json:"officer"`
	Scans   []Scan `json:"scans"`
}

// SyncHandheld stores the batch's scans and the officer's last position.
func (s *Scanner) SyncHandheld(ctx context.Context, b HandheldBatch) error {
	t, err := s.Tenants.For(b.City)
	if err != nil {
		return err
	}
	positionKey := kvkeys.Raw(path.Join("officers", b.Officer, "position"))
	for _, sc := range b.Scans {
		body, err := json.Marshal(sc)
		if err != nil {
			return err
		}
		if err := t.KV.Put(ctx, path.Join("scans", b.City, b.Officer, sc.ID), body, 30*24*time.Hour); err != nil {
			return err
		}
		pos := fmt.Sprintf(`{"lat":%f,"lng":%f,"at":%q}`, sc.Lat, sc.Lng, sc.At.Format(time.RFC3339))
		if err := t.KV.Put(ctx, positionKey.String(), []byte(pos), 12*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ZoneSummary is the occupancy snapshot shown on the city dashboard.
type ZoneSummary struct {
	Zone      string    `json:"zone"`
	Observed  []string  `json:"observed"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RecordObservations merges plate observations into each zone's summary.
func (s *Scanner) RecordObservations(ctx context.Context, city string, byZone map[string][]string) error {
	t, err := s.Tenants.For(city)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for zone, plates := range byZone {
		g.Go(func() error {
			key := kvkeys.ZoneKey{City: city, Zone: zone}.Key() + "/summary"
			sum := ZoneSummary{Zone: zone}
			raw, err := t.KV.Get(gctx, key)
			if err == nil {
				if err := json.Unmarshal(raw, &sum); err != nil {
					return err
				}
			} else if !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			sum.Observed = append(sum.Observed, plates...)
			if n := len(sum.Observed); n > 500 {
				sum.Observed = sum.Observed[n-500:]
			}
			sum.UpdatedAt = s.Clock.Now()
			body, err := json.Marshal(sum)
			if err != nil {
				return err
			}
			return t.KV.Put(gctx, key, body, 0) // EXPECT kvrace
		})
	}
	return g.Wait()
}

// PublishOccupancy writes each sensor reading of a city as the latest
// occupancy figure.
func (s *Scanner) PublishOccupancy(ctx context.Context, city string, readings []float64) error {
	t, err := s.Tenants.For(city)
	if err != nil {
		return err
	}
	key := kvkeys.ZoneKey{City: city, Zone: "_all"}.Key() + "/occupancy"
	for _, r := range readings {
		if err := t.KV.Put(ctx, key, []byte(strconv.FormatFloat(r, 'f', 3, 64)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
