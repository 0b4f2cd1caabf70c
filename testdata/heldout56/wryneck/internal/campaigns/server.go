// Package campaigns implements the CampaignService: campaign schedules stored
// in KV so the edge scheduler can read them without a database round trip.
package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/rpc"
	"wryneck/internal/tracing"
)

// Server implements rpc.CampaignServiceServer.
type Server struct {
	rpc.UnimplementedCampaignServiceServer
	store newsletter.Store
}

var _ rpc.CampaignServiceServer = (*Server)(nil)

// NewServer returns the campaign service.
func NewServer(store newsletter.Store) rpc.CampaignServiceServer {
	return &Server{store: store}
}

func scheduleKey(id string) string { return newsletter.KindSchedule.Key(id) }

// schedulePut is what the repository layer receives from the RPC layer.
type schedulePut struct {
	ID       string
	Schedule newsletter.Schedule
	Keep     *time.Duration
	Until    *time.Time
}

func (s *Server) writeSchedule(ctx context.Context, in schedulePut) (err error) {
	ctx, end := tracing.Start(ctx, "campaigns.write", tracing.Str("campaign", in.ID))
	defer end(&err)
	b, err := json.Marshal(in.Schedule)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, scheduleKey(in.ID), b, newsletter.PutOptions{TTL: in.Keep, ExpiresAt: in.Until})
}

func (s *Server) readSchedule(ctx context.Context, id string) (*newsletter.Schedule, error) {
	raw, err := s.store.Get(ctx, scheduleKey(id))
	if err != nil {
		return nil, err
	}
	var sc newsletter.Schedule
	if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, err
	}
	return &sc, nil
}

// ScheduleCampaign creates or replaces a schedule with a single slot.
func (s *Server) ScheduleCampaign(ctx context.Context, req *rpc.ScheduleCampaignRequest) (*rpc.ScheduleReply, error) {
	if req.GetCampaignId() == "" {
		return nil, errors.New("campaign_id is required")
	}
	sendAt := time.Unix(req.GetSendAtUnix(), 0).UTC()
	in := schedulePut{
		ID: req.GetCampaignId(),
		Schedule: newsletter.Schedule{
			CampaignID: req.GetCampaignId(),
			Sender:     req.GetSender(),
			Slots:      []newsletter.Slot{{At: sendAt, Segment: req.GetSegment()}},
		},
	}
	if ttl := req.GetTtlSeconds(); ttl > 0 {
		in.Keep = opt.Ptr(time.Duration(ttl) * time.Second)
	} else {
		in.Until = opt.Ptr(sendAt.Add(7 * 24 * time.Hour))
	}
	if err := s.writeSchedule(ctx, in); err != nil {
		return nil, err
	}
	return &rpc.ScheduleReply{CampaignId: in.ID, SlotCount: 1}, nil
}

// AddSlot appends a send window.
func (s *Server) AddSlot(ctx context.Context, req *rpc.AddSlotRequest) (*rpc.ScheduleReply, error) {
	key := scheduleKey(req.GetCampaignId())
	var sc newsletter.Schedule
	raw, err := s.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		sc = newsletter.Schedule{CampaignID: req.GetCampaignId()}
	} else if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, err
	}
	sc.Slots = append(sc.Slots, newsletter.Slot{At: time.Unix(req.GetSendAtUnix(), 0).UTC(), Segment: req.GetSegment()})
	slices.SortFunc(sc.Slots, func(a, b newsletter.Slot) int { return a.At.Compare(b.At) })
	b, _ := json.Marshal(sc)
	if err := s.store.Put(ctx, key, b, newsletter.PutOptions{}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &rpc.ScheduleReply{CampaignId: sc.CampaignID, SlotCount: int32(len(sc.Slots))}, nil
}

// CancelCampaign marks the schedule revoked. The record is kept for the
// audit view and expires after 30 days.
func (s *Server) CancelCampaign(ctx context.Context, req *rpc.CancelCampaignRequest) (*rpc.ScheduleReply, error) {
	now := time.Now().UTC()
	err := s.writeSchedule(ctx, schedulePut{
		ID:       req.GetCampaignId(),
		Schedule: newsletter.Schedule{CampaignID: req.GetCampaignId(), Deleted: true, RevokedAt: &now},
		Keep:     opt.Ptr(30 * 24 * time.Hour),
	})
	if err != nil {
		return nil, err
	}
	return &rpc.ScheduleReply{CampaignId: req.GetCampaignId()}, nil
}

// Remind stores a reminder marker the edge cron picks up shortly before the
// window opens. The marker outlives the window by twice its length.
func (s *Server) Remind(ctx context.Context, req *rpc.RemindRequest) (*rpc.ScheduleReply, error) {
	window := time.Duration(req.GetWindowSeconds()) * time.Second
	keep := max(2*window, 3*time.Second)
	b, _ := json.Marshal(map[string]any{"campaign_id": req.GetCampaignId(), "opens_at": req.GetOpensAtUnix()})
	if err := s.store.Put(ctx, "remind:"+req.GetCampaignId(), b, newsletter.PutOptions{TTL: &keep}); err != nil { // EXPECT kvttl
		return nil, err
	}
	return &rpc.ScheduleReply{CampaignId: req.GetCampaignId()}, nil
}

// HoldUntil keeps a "do not send" hold on a campaign until t.
func (s *Server) HoldUntil(ctx context.Context, id string, t time.Time) error {
	ttl := time.Until(t)
	b, _ := json.Marshal(map[string]any{"campaign_id": id, "until": t})
	return s.store.Put(ctx, "hold:"+id, b, newsletter.PutOptions{TTL: &ttl}) // EXPECT kvttl
}

// PreviewHold is like HoldUntil but never shorter than the KV minimum.
func (s *Server) PreviewHold(ctx context.Context, id string, t time.Time) error {
	ttl := max(time.Until(t), time.Minute)
	b, _ := json.Marshal(map[string]any{"campaign_id": id, "until": t, "preview": true})
	return s.store.Put(ctx, "hold:preview:"+id, b, newsletter.PutOptions{TTL: &ttl})
}

// Shift moves every slot of the given campaigns by d (daylight-saving fixes,
// sender-requested delays).
func (s *Server) Shift(ctx context.Context, ids []string, d time.Duration) error {
	var errs []error
	for _, id := range ids {
		sc, err := s.readSchedule(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
			continue
		}
		for i := range sc.Slots {
			sc.Slots[i].At = sc.Slots[i].At.Add(d)
		}
		if err := s.writeSchedule(ctx, schedulePut{ID: id, Schedule: *sc}); err != nil { // EXPECT kvrace
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// RebuildIndex publishes the list of active campaigns for the edge
// scheduler.
func (s *Server) RebuildIndex(ctx context.Context, active []newsletter.Schedule) error {
	index := make([]string, 0, len(active))
	for _, sc := range active {
		if sc.Deleted {
			continue
		}
		index = append(index, sc.CampaignID)
		b, _ := json.Marshal(index)
		if err := s.store.Put(ctx, "campaigns:index", b, newsletter.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishSenders writes one record per sender, once.
func (s *Server) PublishSenders(ctx context.Context, active []newsletter.Schedule) error {
	bySender := make(map[string][]string)
	for _, sc := range active {
		bySender[sc.Sender] = append(bySender[sc.Sender], sc.CampaignID)
	}
	for sender, ids := range bySender {
		b, _ := json.Marshal(ids)
		if err := s.store.Put(ctx, "campaigns:by-sender:"+sender, b, newsletter.PutOptions{}); err != nil {
			return err
		}
	}
	return nil
}
