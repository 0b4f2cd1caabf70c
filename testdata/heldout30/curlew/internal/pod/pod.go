// Package pod stores proof-of-delivery uploads: the doorstep photo, the
// signature and the delivery record that ties them to a parcel.
package pod

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/repo"
	"example.com/curlew/internal/saga"
)

// ErrBusy is returned when another upload for the same parcel is running.
var ErrBusy = errors.New("pod: upload already in progress")

// StatusPublisher marks a parcel delivered on its tracking page.
type StatusPublisher interface {
	MarkDelivered(ctx context.Context, parcelID string, at time.Time) error
}

// Upload is what the courier app sends at the door.
type Upload struct {
	ParcelID  string
	CourierID string
	Photo     []byte
	Signature []byte
	Lat, Lng  float64
	TakenAt   time.Time
}

type podRecord struct {
	Parcel    string    `json:"parcel"`
	Courier   string    `json:"courier"`
	PhotoKey  string    `json:"photo_key"`
	Signature []byte    `json:"signature,omitempty"`
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	TakenAt   time.Time `json:"taken_at"`
	Stored    time.Time `json:"stored"`
}

// Photos are shown to recipients who dispute a delivery, so the listing UI
// shows the retention terms next to each one.
const retentionNotice = "Proof-of-delivery photographs are retained for ninety days from the date of delivery for the purpose of " +
	"resolving delivery disputes and claims raised by the sender or the recipient. Photographs are taken at the " +
	"delivery location by the courier at the moment of handover and show the parcel and its immediate surroundings " +
	"only; couriers are instructed not to photograph people, vehicle registration plates, house numbers of " +
	"neighbouring properties or the interior of any home. Access is limited to the sender of the parcel, the named " +
	"recipient, and customer support staff handling an open claim. Photographs are not used for marketing, " +
	"profiling or training purposes and are not shared with third parties except where required by law or by the " +
	"order of a court. After the retention period the photograph and its metadata are deleted automatically and " +
	"cannot be recovered. Recipients may request early deletion once a delivery is confirmed as received by " +
	"contacting support with the tracking code; senders are notified of such a request and may object within seven " +
	"days if a claim is pending. This notice forms part of the delivery terms agreed at the time of booking."

// Service stores proof-of-delivery uploads.
type Service struct {
	store     kv.Store
	records   *repo.Repo[podRecord]
	status    StatusPublisher
	retention time.Duration
	now       func() time.Time
}

// Config configures the service.
type Config struct {
	Retention time.Duration
}

// New returns the proof-of-delivery service.
func New(s kv.Store, status StatusPublisher, cfg Config) *Service {
	return &Service{
		store:     s,
		records:   repo.New(s, "pod:rec:", repo.WithTTL[podRecord](cfg.Retention), repo.WithPageSize[podRecord](2500)), // EXPECT kvlimits
		status:    status,
		retention: cfg.Retention,
		now:       time.Now,
	}
}

func lockKey(parcelID string) string { return "pod:lock:" + parcelID }

// lock claims the upload of parcelID for owner. An upload takes seconds;
// the lock expires on its own if the app dies halfway.
func (s *Service) lock(ctx context.Context, parcelID, owner string) error {
	if _, err := s.store.Get(ctx, lockKey(parcelID)); err == nil {
		return ErrBusy
	} else if !kv.IsNotFound(err) {
		return err
	}
	return s.store.Put(ctx, lockKey(parcelID), []byte(owner), kv.WithTTL(2*time.Minute)) // EXPECT kvrace
}

func (s *Service) unlock(ctx context.Context, parcelID string) error {
	return s.store.Delete(ctx, lockKey(parcelID))
}

// Store saves an upload: photo, record, tracking status and the courier's
// tally. A failure part-way removes what was written.
func (s *Service) Store(ctx context.Context, u Upload) error {
	now := s.now().UTC()
	photoKey := "pod:photo:" + u.ParcelID
	rec := podRecord{
		Parcel: u.ParcelID, Courier: u.CourierID, PhotoKey: photoKey, Signature: u.Signature,
		Lat: u.Lat, Lng: u.Lng, TakenAt: u.TakenAt, Stored: now,
	}
	err := saga.New("pod-upload").
		Then("lock",
			func(ctx context.Context) error { return s.lock(ctx, u.ParcelID, u.CourierID) },
			func(ctx context.Context) error { return s.unlock(ctx, u.ParcelID) }).
		Then("photo",
			func(ctx context.Context) error {
				return s.store.Put(ctx, photoKey, u.Photo, kv.WithTTL(s.retention),
					kv.WithMetadata(map[string]string{"courier": u.CourierID, "notice": retentionNotice})) // EXPECT kvlimits
			},
			func(ctx context.Context) error { return s.store.Delete(ctx, photoKey) }).
		Then("record",
			func(ctx context.Context) error { return s.records.Save(ctx, u.ParcelID, rec) },
			func(ctx context.Context) error { return s.records.Delete(ctx, u.ParcelID) }).
		Then("status",
			func(ctx context.Context) error { return s.status.MarkDelivered(ctx, u.ParcelID, u.TakenAt) },
			nil).
		Then("tally",
			func(ctx context.Context) error { return s.incr(ctx, tallyKey(u.CourierID, now)) },
			nil).
		Run(ctx)
	if err != nil {
		return err
	}
	return s.unlock(ctx, u.ParcelID)
}

func tallyKey(courierID string, day time.Time) string {
	return "pod:count:" + courierID + ":" + day.Format("20060102")
}

// incr bumps the courier's delivered-today tally shown in the app.
func (s *Service) incr(ctx context.Context, key string) error {
	n := 0
	raw, err := s.store.Get(ctx, key)
	switch {
	case kv.IsNotFound(err):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("pod: tally %s: %w", key, err)
		}
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kv.WithTTL(48*time.Hour)) // EXPECT kvcounter
}

// Export streams every delivery record key to emit, for the claims team.
func (s *Service) Export(ctx context.Context, emit func(kv.KeyInfo) error) error {
	cursor := ""
	for {
		page, err := s.records.Page(ctx, cursor) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			if err := emit(k); err != nil {
				return err
			}
		}
		cursor = page.Cursor
	}
}
