// Package dispatchv1connect holds the Connect glue for dispatch.v1.DispatchService,
// kept in the shape protoc-gen-connect-go emits.
package dispatchv1connect

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	dispatchv1 "github.com/fleetbite/woodcock/internal/gen/dispatch/v1"
)

// This is a compile-time assertion to ensure that this file and the connect
// package are compatible.
const _ = connect.IsAtLeastVersion1_13_0

const (
	// DispatchServiceName is the fully-qualified name of the DispatchService service.
	DispatchServiceName = "dispatch.v1.DispatchService"
)

// These constants are the fully-qualified names of the RPCs defined in this
// package. They're exposed at runtime as Spec.Procedure and as the final two
// segments of the HTTP route.
const (
	DispatchServiceAssignCourierProcedure     = "/dispatch.v1.DispatchService/AssignCourier"
	DispatchServiceSetCourierShiftProcedure   = "/dispatch.v1.DispatchService/SetCourierShift"
	DispatchServiceGetCourierProfileProcedure = "/dispatch.v1.DispatchService/GetCourierProfile"
	DispatchServiceListZoneCouriersProcedure  = "/dispatch.v1.DispatchService/ListZoneCouriers"
	DispatchServiceGetZoneLoadProcedure       = "/dispatch.v1.DispatchService/GetZoneLoad"
	DispatchServiceQuoteEtaProcedure          = "/dispatch.v1.DispatchService/QuoteEta"
)

// DispatchServiceHandler is an implementation of the dispatch.v1.DispatchService service.
type DispatchServiceHandler interface {
	AssignCourier(context.Context, *connect.Request[dispatchv1.AssignCourierRequest]) (*connect.Response[dispatchv1.AssignCourierResponse], error)
	SetCourierShift(context.Context, *connect.Request[dispatchv1.SetCourierShiftRequest]) (*connect.Response[dispatchv1.SetCourierShiftResponse], error)
	GetCourierProfile(context.Context, *connect.Request[dispatchv1.GetCourierProfileRequest]) (*connect.Response[dispatchv1.GetCourierProfileResponse], error)
	ListZoneCouriers(context.Context, *connect.Request[dispatchv1.ListZoneCouriersRequest]) (*connect.Response[dispatchv1.ListZoneCouriersResponse], error)
	GetZoneLoad(context.Context, *connect.Request[dispatchv1.GetZoneLoadRequest]) (*connect.Response[dispatchv1.GetZoneLoadResponse], error)
	QuoteEta(context.Context, *connect.Request[dispatchv1.QuoteEtaRequest]) (*connect.Response[dispatchv1.QuoteEtaResponse], error)
}

// NewDispatchServiceHandler builds an HTTP handler from the service implementation.
// It returns the path on which to mount the handler and the handler itself.
//
// By default, handlers support the Connect, gRPC, and gRPC-Web protocols with
// the binary Protobuf and JSON codecs. They also support gzip compression.
func NewDispatchServiceHandler(svc DispatchServiceHandler, opts ...connect.HandlerOption) (string, http.Handler) {
	dispatchServiceAssignCourierHandler := connect.NewUnaryHandler(
		DispatchServiceAssignCourierProcedure,
		svc.AssignCourier,
		connect.WithHandlerOptions(opts...),
	)
	dispatchServiceSetCourierShiftHandler := connect.NewUnaryHandler(
		DispatchServiceSetCourierShiftProcedure,
		svc.SetCourierShift,
		connect.WithHandlerOptions(opts...),
	)
	dispatchServiceGetCourierProfileHandler := connect.NewUnaryHandler(
		DispatchServiceGetCourierProfileProcedure,
		svc.GetCourierProfile,
		connect.WithIdempotency(connect.IdempotencyNoSideEffects),
		connect.WithHandlerOptions(opts...),
	)
	dispatchServiceListZoneCouriersHandler := connect.NewUnaryHandler(
		DispatchServiceListZoneCouriersProcedure,
		svc.ListZoneCouriers,
		connect.WithIdempotency(connect.IdempotencyNoSideEffects),
		connect.WithHandlerOptions(opts...),
	)
	dispatchServiceGetZoneLoadHandler := connect.NewUnaryHandler(
		DispatchServiceGetZoneLoadProcedure,
		svc.GetZoneLoad,
		connect.WithIdempotency(connect.IdempotencyNoSideEffects),
		connect.WithHandlerOptions(opts...),
	)
	dispatchServiceQuoteEtaHandler := connect.NewUnaryHandler(
		DispatchServiceQuoteEtaProcedure,
		svc.QuoteEta,
		connect.WithHandlerOptions(opts...),
	)
	return "/dispatch.v1.DispatchService/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case DispatchServiceAssignCourierProcedure:
			dispatchServiceAssignCourierHandler.ServeHTTP(w, r)
		case DispatchServiceSetCourierShiftProcedure:
			dispatchServiceSetCourierShiftHandler.ServeHTTP(w, r)
		case DispatchServiceGetCourierProfileProcedure:
			dispatchServiceGetCourierProfileHandler.ServeHTTP(w, r)
		case DispatchServiceListZoneCouriersProcedure:
			dispatchServiceListZoneCouriersHandler.ServeHTTP(w, r)
		case DispatchServiceGetZoneLoadProcedure:
			dispatchServiceGetZoneLoadHandler.ServeHTTP(w, r)
		case DispatchServiceQuoteEtaProcedure:
			dispatchServiceQuoteEtaHandler.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
