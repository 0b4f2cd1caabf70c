package grpcapi

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	Fleet_Ingest_FullMethodName     = "/fleet.v1.Fleet/Ingest"
	Fleet_AckCommand_FullMethodName = "/fleet.v1.Fleet/AckCommand"
	Fleet_RevokeKey_FullMethodName  = "/fleet.v1.Fleet/RevokeKey"
)

// FleetServer is the server API for the Fleet service.
type FleetServer interface {
	Ingest(context.Context, *IngestRequest) (*IngestReply, error)
	AckCommand(context.Context, *AckCommandRequest) (*AckCommandReply, error)
	RevokeKey(context.Context, *RevokeKeyRequest) (*Empty, error)
	mustEmbedUnimplementedFleetServer()
}

// UnimplementedFleetServer must be embedded to have forward compatible implementations.
type UnimplementedFleetServer struct{}

func (UnimplementedFleetServer) Ingest(context.Context, *IngestRequest) (*IngestReply, error) {
	return nil, status.Errorf(codes.Unimplemented, "method Ingest not implemented")
}
func (UnimplementedFleetServer) AckCommand(context.Context, *AckCommandRequest) (*AckCommandReply, error) {
	return nil, status.Errorf(codes.Unimplemented, "method AckCommand not implemented")
}
func (UnimplementedFleetServer) RevokeKey(context.Context, *RevokeKeyRequest) (*Empty, error) {
	return nil, status.Errorf(codes.Unimplemented, "method RevokeKey not implemented")
}
func (UnimplementedFleetServer) mustEmbedUnimplementedFleetServer() {}

// RegisterFleetServer registers srv with s.
func RegisterFleetServer(s grpc.ServiceRegistrar, srv FleetServer) {
	s.RegisterService(&Fleet_ServiceDesc, srv)
}

func _Fleet_Ingest_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(IngestRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(FleetServer).Ingest(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Fleet_Ingest_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(FleetServer).Ingest(ctx, req.(*IngestRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Fleet_AckCommand_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(AckCommandRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(FleetServer).AckCommand(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Fleet_AckCommand_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(FleetServer).AckCommand(ctx, req.(*AckCommandRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Fleet_RevokeKey_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(RevokeKeyRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(FleetServer).RevokeKey(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Fleet_RevokeKey_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(FleetServer).RevokeKey(ctx, req.(*RevokeKeyRequest))
	}
	return interceptor(ctx, in, info, handler)
}

// Fleet_ServiceDesc is the grpc.ServiceDesc for the Fleet service.
var Fleet_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "fleet.v1.Fleet",
	HandlerType: (*FleetServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Ingest", Handler: _Fleet_Ingest_Handler},
		{MethodName: "AckCommand", Handler: _Fleet_AckCommand_Handler},
		{MethodName: "RevokeKey", Handler: _Fleet_RevokeKey_Handler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "fleet/v1/fleet.proto",
}
