// Package scanner is the gRPC service the door scanners call. The service
// descriptor and handlers follow protoc-gen-go-grpc's layout; messages are
// plain structs carried by a JSON codec.
package scanner

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

type CheckInRequest struct {
	TicketID string `json:"ticket_id"`
	EventID  string `json:"event_id"`
	Gate     string `json:"gate"`
}

type CheckInReply struct {
	Admitted bool   `json:"admitted"`
	Seat     string `json:"seat,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

type LookupTicketRequest struct {
	TicketID string `json:"ticket_id"`
}

type LookupTicketReply struct {
	TicketID string `json:"ticket_id"`
	Status   string `json:"status"`
	Seat     string `json:"seat"`
	Holder   string `json:"holder"`
}

type RevokeDeviceRequest struct {
	DeviceID string `json:"device_id"`
	Reason   string `json:"reason"`
}

type RevokeDeviceReply struct{}

// ScannerServer is the server API for the Scanner service.
type ScannerServer interface {
	CheckIn(context.Context, *CheckInRequest) (*CheckInReply, error)
	LookupTicket(context.Context, *LookupTicketRequest) (*LookupTicketReply, error)
	RevokeDevice(context.Context, *RevokeDeviceRequest) (*RevokeDeviceReply, error)
}

const (
	Scanner_CheckIn_FullMethodName      = "/boxoffice.scanner.v1.Scanner/CheckIn"
	Scanner_LookupTicket_FullMethodName = "/boxoffice.scanner.v1.Scanner/LookupTicket"
	Scanner_RevokeDevice_FullMethodName = "/boxoffice.scanner.v1.Scanner/RevokeDevice"
)

func RegisterScannerServer(s grpc.ServiceRegistrar, srv ScannerServer) {
	s.RegisterService(&Scanner_ServiceDesc, srv)
}

func _Scanner_CheckIn_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(CheckInRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(ScannerServer).CheckIn(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Scanner_CheckIn_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(ScannerServer).CheckIn(ctx, req.(*CheckInRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Scanner_LookupTicket_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(LookupTicketRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(ScannerServer).LookupTicket(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Scanner_LookupTicket_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(ScannerServer).LookupTicket(ctx, req.(*LookupTicketRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Scanner_RevokeDevice_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(RevokeDeviceRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(ScannerServer).RevokeDevice(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Scanner_RevokeDevice_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(ScannerServer).RevokeDevice(ctx, req.(*RevokeDeviceRequest))
	}
	return interceptor(ctx, in, info, handler)
}

// Scanner_ServiceDesc is the grpc.ServiceDesc for the Scanner service.
var Scanner_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "boxoffice.scanner.v1.Scanner",
	HandlerType: (*ScannerServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "CheckIn", Handler: _Scanner_CheckIn_Handler},
		{MethodName: "LookupTicket", Handler: _Scanner_LookupTicket_Handler},
		{MethodName: "RevokeDevice", Handler: _Scanner_RevokeDevice_Handler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "boxoffice/scanner/v1/scanner.proto",
}

// jsonCodec lets the scanner firmware speak JSON over gRPC framing.
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (jsonCodec) Name() string                       { return "json" }

// RegisterCodec makes the "application/grpc+json" content subtype available.
func RegisterCodec() { encoding.RegisterCodec(jsonCodec{}) }
