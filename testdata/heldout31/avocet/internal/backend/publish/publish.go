// Package publish writes episode records and confirms sponsor bookings.
package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/avocet/internal/backend/cfstore"
	"example.com/avocet/internal/bus"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/patch"
	"example.com/avocet/internal/repo"
)

// PublishCommand publishes (or schedules) an episode.
type PublishCommand struct {
	Creator string         `json:"creator"`
	Episode domain.Episode `json:"episode"`
	Slots   []string       `json:"slots"`
}

// UpdateShowCommand merge-patches a show's metadata.
type UpdateShowCommand struct {
	ShowID string          `json:"show_id"`
	Patch  json.RawMessage `json:"patch"`
}

// Warehouse is the system of record for shows (consumer-side view of the
// warehouse client).
type Warehouse interface {
	Show(ctx context.Context, id string) (map[string]any, error)
	SaveShow(ctx context.Context, id string, doc map[string]any) error
}

// Service handles the publishing commands.
type Service struct {
	store    *cfstore.Store
	episodes *repo.Repo[domain.Episode]
	shows    *repo.Repo[domain.Show]
	slots    *repo.Repo[domain.SponsorSlot]
	wh       Warehouse
	log      *slog.Logger
	now      func() time.Time
}

// New wires a Service.
func New(store *cfstore.Store, exec ops.Exec, wh Warehouse, log *slog.Logger) *Service {
	return &Service{store: store, wh: wh, log: log, now: time.Now, episodes: repo.New[domain.Episode](exec),
		shows: repo.New[domain.Show](exec), slots: repo.New[domain.SponsorSlot](exec)}
}

// Register installs the handlers on b.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, s.Publish)
	bus.Register(b, s.UpdateShow)
}

// Publish stores the episode, adds it to the show's list, and confirms the
// sponsor slots it carries.
func (s *Service) Publish(ctx context.Context, cmd PublishCommand) error {
	ep := cmd.Episode
	if ep.ID == "" || ep.ShowID == "" {
		return bus.Fail(400, fmt.Errorf("publish: episode id and show id are required"))
	}
	if err := s.episodes.Put(ctx, ep); err != nil {
		return err
	}
	if err := s.appendToShow(ctx, ep); err != nil {
		return err
	}
	if ep.PublishedAt.After(s.now()) {
		// Scheduled: the edge hides the episode while the embargo key lives.
		ttl := max(time.Until(ep.PublishedAt), 5*time.Second) // EXPECT kvttl
		if err := s.store.Write(ctx, "embargo:"+ep.ShowID+"/"+ep.ID, []byte("1"), ttl); err != nil {
			return err
		}
	}
	for _, id := range cmd.Slots {
		if err := s.confirmSlot(ctx, id, ep); err != nil {
			s.log.WarnContext(ctx, "slot not confirmed", "slot", id, "err", err)
		}
	}
	return s.store.Remove(ctx, "feedcache:v2:"+ep.ShowID)
}

func (s *Service) appendToShow(ctx context.Context, ep domain.Episode) error {
	key := "episodes:" + ep.ShowID
	var list []domain.Episode
	res, err := s.store.Namespaces().Values.Get(ctx, s.store.NamespaceID(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.store.Account())}) // EXPECT kvnull
	if err == nil {
		err = json.NewDecoder(res.Body).Decode(&list)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("publish: episode list of %s: %w", ep.ShowID, err)
		}
	}
	list = append(list, ep)
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	_, err = s.store.Namespaces().Values.Update(ctx, s.store.NamespaceID(), key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.store.Account()),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// confirmSlot records the booking under the sponsor so the sponsor's
// dashboard can list it.
func (s *Service) confirmSlot(ctx context.Context, slotID string, ep domain.Episode) error {
	slot, err := s.slots.Get(ctx, slotID)
	if err != nil {
		return err
	}
	if !slot.Booked() {
		return fmt.Errorf("slot %s has no sponsor", slotID)
	}
	doc, err := json.Marshal(slot)
	if err != nil {
		return err
	}
	_, err = s.store.Namespaces().Values.Update(ctx, s.store.NamespaceID(), "booked:"+slot.Sponsor+":"+slotID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.store.Account()),
		Value:     cloudflare.F(string(doc)),
		Metadata:  cloudflare.F[any](map[string]string{"episode": ep.ID, "position": slot.Position.String(), "terms": sponsorTerms}), // EXPECT kvlimits
	})
	return err
}

// UpdateShow applies a merge patch to the show in the warehouse and then
// refreshes the edge's copy from the warehouse's answer.
func (s *Service) UpdateShow(ctx context.Context, cmd UpdateShowCommand) error {
	p, err := patch.Decode(cmd.Patch)
	if err != nil {
		return bus.Fail(400, err)
	}
	doc, err := s.wh.Show(ctx, cmd.ShowID)
	if err != nil {
		return err
	}
	merged := patch.Merge(doc, patch.Protect(p, "id", "creator_id"))
	if err := s.wh.SaveShow(ctx, cmd.ShowID, merged); err != nil {
		return err
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	var show domain.Show
	if err := json.Unmarshal(b, &show); err != nil {
		return err
	}
	return s.shows.Put(ctx, show)
}

// sponsorTerms is attached to every booking confirmation so the sponsor's
// dashboard can show the terms the booking was made under.
const sponsorTerms = `SPONSORSHIP TERMS. 1. Placement. The Publisher will include the ` +
	`Sponsor's message in the booked position of the episode identified in this ` +
	`confirmation. Mid-roll messages are placed at a natural break chosen by the ` +
	`host, no earlier than 25% and no later than 75% of the episode's running time. ` +
	`2. Content. The Sponsor supplies talking points at least five business days ` +
	`before the publication date. The host may read the message in their own words ` +
	`and will not make claims the Sponsor has not approved in writing. ` +
	`3. Make-goods. If the episode is not published within seven days of the ` +
	`scheduled date, or the message is omitted, the Publisher will run the message ` +
	`in the next available episode at no charge. 4. Measurement. Impressions are ` +
	`counted as IAB-certified downloads within 30 days of publication, as reported ` +
	`by the platform. 5. Cancellation. The Sponsor may cancel without charge up to ` +
	`fourteen days before publication; later cancellations are billed at 50%. ` +
	`6. Exclusivity. No competing sponsor will be placed in the same episode. ` +
	`7. Governing law. These terms are governed by the laws of the Publisher's ` +
	`place of business.`
