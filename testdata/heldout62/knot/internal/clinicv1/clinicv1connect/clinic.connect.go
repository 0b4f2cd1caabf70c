// Package clinicv1connect holds the Connect handler constructors for the
// clinic.v1 services, in the layout protoc-gen-connect-go produces.
package clinicv1connect

import (
	"context"
	"encoding/json"
	"net/http"

	connect "connectrpc.com/connect"

	v1 "github.com/meridiancare/knot/internal/clinicv1"
)

const (
	SchedulingServiceName = "clinic.v1.SchedulingService"
	VideoServiceName      = "clinic.v1.VideoService"
)

const (
	SchedulingServiceListSlotsProcedure           = "/clinic.v1.SchedulingService/ListSlots"
	SchedulingServiceHoldSlotProcedure            = "/clinic.v1.SchedulingService/HoldSlot"
	SchedulingServiceBookSlotProcedure            = "/clinic.v1.SchedulingService/BookSlot"
	SchedulingServiceCancelBookingProcedure       = "/clinic.v1.SchedulingService/CancelBooking"
	SchedulingServicePublishAvailabilityProcedure = "/clinic.v1.SchedulingService/PublishAvailability"
	VideoServiceIssueRoomTokenProcedure           = "/clinic.v1.VideoService/IssueRoomToken"
	VideoServiceEndVisitProcedure                 = "/clinic.v1.VideoService/EndVisit"
)

// SchedulingServiceHandler is an implementation of the clinic.v1.SchedulingService service.
type SchedulingServiceHandler interface {
	ListSlots(context.Context, *connect.Request[v1.ListSlotsRequest]) (*connect.Response[v1.ListSlotsResponse], error)
	HoldSlot(context.Context, *connect.Request[v1.HoldSlotRequest]) (*connect.Response[v1.HoldSlotResponse], error)
	BookSlot(context.Context, *connect.Request[v1.BookSlotRequest]) (*connect.Response[v1.BookSlotResponse], error)
	CancelBooking(context.Context, *connect.Request[v1.CancelBookingRequest]) (*connect.Response[v1.CancelBookingResponse], error)
	PublishAvailability(context.Context, *connect.Request[v1.PublishAvailabilityRequest]) (*connect.Response[v1.PublishAvailabilityResponse], error)
}

// NewSchedulingServiceHandler builds an HTTP handler from the service
// implementation. It returns the path on which to mount the handler and the
// handler itself.
func NewSchedulingServiceHandler(svc SchedulingServiceHandler, opts ...connect.HandlerOption) (string, http.Handler) {
	opts = append([]connect.HandlerOption{connect.WithCodec(jsonCodec{})}, opts...)
	schedulingServiceListSlotsHandler := connect.NewUnaryHandler(
		SchedulingServiceListSlotsProcedure,
		svc.ListSlots,
		connect.WithIdempotency(connect.IdempotencyNoSideEffects),
		connect.WithHandlerOptions(opts...),
	)
	schedulingServiceHoldSlotHandler := connect.NewUnaryHandler(
		SchedulingServiceHoldSlotProcedure,
		svc.HoldSlot,
		connect.WithHandlerOptions(opts...),
	)
	schedulingServiceBookSlotHandler := connect.NewUnaryHandler(
		SchedulingServiceBookSlotProcedure,
		svc.BookSlot,
		connect.WithHandlerOptions(opts...),
	)
	schedulingServiceCancelBookingHandler := connect.NewUnaryHandler(
		SchedulingServiceCancelBookingProcedure,
		svc.CancelBooking,
		connect.WithHandlerOptions(opts...),
	)
	schedulingServicePublishAvailabilityHandler := connect.NewUnaryHandler(
		SchedulingServicePublishAvailabilityProcedure,
		svc.PublishAvailability,
		connect.WithHandlerOptions(opts...),
	)
	return "/clinic.v1.SchedulingService/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case SchedulingServiceListSlotsProcedure:
			schedulingServiceListSlotsHandler.ServeHTTP(w, r)
		case SchedulingServiceHoldSlotProcedure:
			schedulingServiceHoldSlotHandler.ServeHTTP(w, r)
		case SchedulingServiceBookSlotProcedure:
			schedulingServiceBookSlotHandler.ServeHTTP(w, r)
		case SchedulingServiceCancelBookingProcedure:
			schedulingServiceCancelBookingHandler.ServeHTTP(w, r)
		case SchedulingServicePublishAvailabilityProcedure:
			schedulingServicePublishAvailabilityHandler.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// VideoServiceHandler is an implementation of the clinic.v1.VideoService service.
type VideoServiceHandler interface {
	IssueRoomToken(context.Context, *connect.Request[v1.IssueRoomTokenRequest]) (*connect.Response[v1.IssueRoomTokenResponse], error)
	EndVisit(context.Context, *connect.Request[v1.EndVisitRequest]) (*connect.Response[v1.EndVisitResponse], error)
}

// NewVideoServiceHandler builds an HTTP handler from the service implementation.
func NewVideoServiceHandler(svc VideoServiceHandler, opts ...connect.HandlerOption) (string, http.Handler) {
	opts = append([]connect.HandlerOption{connect.WithCodec(jsonCodec{})}, opts...)
	videoServiceIssueRoomTokenHandler := connect.NewUnaryHandler(
		VideoServiceIssueRoomTokenProcedure,
		svc.IssueRoomToken,
		connect.WithHandlerOptions(opts...),
	)
	videoServiceEndVisitHandler := connect.NewUnaryHandler(
		VideoServiceEndVisitProcedure,
		svc.EndVisit,
		connect.WithHandlerOptions(opts...),
	)
	return "/clinic.v1.VideoService/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case VideoServiceIssueRoomTokenProcedure:
			videoServiceIssueRoomTokenHandler.ServeHTTP(w, r)
		case VideoServiceEndVisitProcedure:
			videoServiceEndVisitHandler.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// jsonCodec carries the plain-struct messages as application/json.
type jsonCodec struct{}

func (jsonCodec) Name() string                    { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
