package inventory

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"pochard/internal/channelpb"
	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/workqueue"
)

// holdEvent is a queued hold change coming from a partner's PMS.
type holdEvent struct {
	Op      string `json:"op"`
	HotelID string `json:"hotel_id"`
	HoldID  string `json:"hold_id"`
	Night   string `json:"night"`
	Room    string `json:"room"`
}

// Consumer drains hold events from the work queue.
type Consumer struct {
	svc *Service
}

var _ workqueue.Handler = (*Consumer)(nil)

// NewConsumer returns a consumer for svc.
func NewConsumer(svc *Service) *Consumer { return &Consumer{svc: svc} }

// HandleBatch applies each event and acks it, retrying failures.
func (c *Consumer) HandleBatch(ctx context.Context, q workqueue.Queue, batch []workqueue.Message) error {
	for _, m := range batch {
		var ev holdEvent
		if err := json.Unmarshal(m.Body, &ev); err != nil {
			slog.Warn("dropping malformed hold event", "id", m.ID, "err", err)
			_ = q.Ack(ctx, m.ID)
			continue
		}
		if err := c.apply(ctx, ev); err != nil {
			_ = q.Retry(ctx, m.ID, time.Duration(m.Attempts+1)*10*time.Second)
			continue
		}
		_ = q.Ack(ctx, m.ID)
		_ = c.svc.store.Put(ctx, "inventory:consumer:last", []byte(m.ID), kv.PutOptions{}) // EXPECT kvhotkey
	}
	return nil
}

func (c *Consumer) apply(ctx context.Context, ev holdEvent) error {
	switch ev.Op {
	case "release":
		return c.svc.Release(ctx, ev.HotelID, ev.HoldID)
	case "grace":
		h, found, err := c.svc.Hold(ctx, ev.HoldID)
		if err != nil || !found {
			return err
		}
		grace := max(2*c.svc.window, 3*time.Second)
		h.ExpiresAt = time.Now().Add(grace)
		raw, _ := json.Marshal(h)
		return c.svc.store.Put(ctx, holdKey(h.ID), raw, kv.PutOptions{ // EXPECT kvrace
			TTL: opt.Ptr(grace), // EXPECT kvttl
		})
	default:
		slog.Info("ignoring hold event", "op", ev.Op)
		return nil
	}
}

// Server maps HoldService RPCs onto the service.
type Server struct {
	channelpb.UnimplementedHoldServiceServer
	svc *Service
}

// NewServer returns the RPC server for svc.
func NewServer(svc *Service) channelpb.HoldServiceServer { return &Server{svc: svc} }

// PlaceHold places a hold for the requested rooms.
func (s *Server) PlaceHold(ctx context.Context, req *channelpb.PlaceHoldRequest) (*channelpb.PlaceHoldResponse, error) {
	cmd := PlaceCommand{
		HotelID:  req.GetHotelId(),
		RoomType: req.GetRoomTypeId(),
		Night:    req.GetNight(),
		Rooms:    int(req.GetRooms()),
	}
	if secs := req.GetTtlSeconds(); secs > 0 {
		cmd.TTL = opt.Ptr(time.Duration(secs) * time.Second)
	}
	h, err := s.svc.Place(ctx, cmd)
	if err != nil {
		return nil, err
	}
	return &channelpb.PlaceHoldResponse{HoldId: h.ID, ExpiresAt: h.ExpiresAt.Unix()}, nil
}

// ReleaseHold releases a hold.
func (s *Server) ReleaseHold(ctx context.Context, req *channelpb.ReleaseHoldRequest) (*channelpb.ReleaseHoldResponse, error) {
	return &channelpb.ReleaseHoldResponse{}, s.svc.Release(ctx, req.GetHotelId(), req.GetHoldId())
}
