package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/boxoffice/oystercatcher/internal/config"
	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// recentScanWindow is how long the supervisor tablet shows a ticket as
// "just scanned" after a check-in.
const recentScanWindow = 30 * time.Second

// Server implements ScannerServer on top of the ticket records in KV.
type Server struct {
	kv  *kvstore.Store
	cfg config.Scanner
}

var _ ScannerServer = (*Server)(nil)

func NewServer(store *kvstore.Store, cfg config.Scanner) *Server {
	return &Server{kv: store, cfg: cfg}
}

// NewGRPCServer wires the interceptors and registers the service.
func NewGRPCServer(s *Server) *grpc.Server {
	RegisterCodec()
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(
		s.Authenticate,
		s.Quota,
		s.Idempotent,
		s.TrackActivity,
	))
	RegisterScannerServer(gs, s)
	return gs
}

func recentKey(ticketID string) string { return "scan:recent:" + ticketID }

func (s *Server) CheckIn(ctx context.Context, req *CheckInRequest) (*CheckInReply, error) {
	dev := deviceFrom(ctx)
	if !dev.allowed(req.EventID) {
		return nil, status.Error(codes.PermissionDenied, "device not assigned to this event")
	}
	key := ticketing.TicketKey(req.TicketID)
	raw, err := s.kv.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return &CheckInReply{Reason: "unknown ticket"}, nil
	}
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	var t ticketing.Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, status.Errorf(codes.DataLoss, "ticket %s: %v", req.TicketID, err)
	}
	if t.EventID != req.EventID {
		return &CheckInReply{Reason: "ticket is for another event"}, nil
	}
	switch t.Status {
	case ticketing.TicketCheckedIn:
		return &CheckInReply{Seat: t.Seat, Reason: "already checked in at gate " + t.Gate}, nil
	case ticketing.TicketRefunded:
		return &CheckInReply{Reason: "ticket was refunded"}, nil
	}
	now := time.Now().UTC()
	t.Status = ticketing.TicketCheckedIn
	t.CheckedInAt = &now
	t.Gate = req.Gate
	buf, _ := json.Marshal(&t)
	if err := s.kv.Put(ctx, key, buf, 0); err != nil { // EXPECT kvrace
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	if err := s.kv.Put(ctx, recentKey(t.ID), []byte(req.Gate), recentScanWindow); err != nil { // EXPECT kvttl
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &CheckInReply{Admitted: true, Seat: t.Seat}, nil
}

func (s *Server) LookupTicket(ctx context.Context, req *LookupTicketRequest) (*LookupTicketReply, error) {
	raw, err := s.kv.Get(ctx, ticketing.TicketKey(req.TicketID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, status.Error(codes.NotFound, "unknown ticket")
	}
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	var t ticketing.Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, status.Error(codes.DataLoss, err.Error())
	}
	reply := &LookupTicketReply{TicketID: t.ID, Status: string(t.Status), Seat: t.Seat, Holder: t.Holder}
	if gate, err := s.kv.Get(ctx, recentKey(t.ID)); err == nil {
		reply.Status = fmt.Sprintf("%s (just scanned at %s)", t.Status, gate)
	}
	return reply, nil
}

// RevokeDevice blocks a lost or stolen scanner until its key is rotated.
func (s *Server) RevokeDevice(ctx context.Context, req *RevokeDeviceRequest) (*RevokeDeviceReply, error) {
	if !deviceFrom(ctx).Admin {
		return nil, status.Error(codes.PermissionDenied, "admin key required")
	}
	entry, _ := json.Marshal(map[string]any{"reason": req.Reason, "at": time.Now().UTC()})
	if err := s.kv.Put(ctx, revokedKey(req.DeviceID), entry, 0); err != nil { // EXPECT kvsession
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &RevokeDeviceReply{}, nil
}
