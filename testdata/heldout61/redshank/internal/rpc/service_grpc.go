package rpc

import (
	"context"

	"google.golang.org/grpc"
)

const (
	Assignments_Assign_FullMethodName         = "/redshank.assign.v1.Assignments/Assign"
	Assignments_RecordExposure_FullMethodName = "/redshank.assign.v1.Assignments/RecordExposure"
	Assignments_ListExposures_FullMethodName  = "/redshank.assign.v1.Assignments/ListExposures"
)

// AssignmentsServer is the server API for the Assignments service.
type AssignmentsServer interface {
	Assign(context.Context, *AssignRequest) (*AssignResponse, error)
	RecordExposure(context.Context, *ExposureRequest) (*ExposureResponse, error)
	ListExposures(context.Context, *ListExposuresRequest) (*ListExposuresResponse, error)
}

func RegisterAssignmentsServer(s grpc.ServiceRegistrar, srv AssignmentsServer) {
	s.RegisterService(&Assignments_ServiceDesc, srv)
}

func _Assignments_Assign_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(AssignRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(AssignmentsServer).Assign(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Assignments_Assign_FullMethodName,
	}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(AssignmentsServer).Assign(ctx, req.(*AssignRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Assignments_RecordExposure_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ExposureRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(AssignmentsServer).RecordExposure(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Assignments_RecordExposure_FullMethodName,
	}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(AssignmentsServer).RecordExposure(ctx, req.(*ExposureRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Assignments_ListExposures_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ListExposuresRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(AssignmentsServer).ListExposures(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: Assignments_ListExposures_FullMethodName,
	}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(AssignmentsServer).ListExposures(ctx, req.(*ListExposuresRequest))
	}
	return interceptor(ctx, in, info, handler)
}

// Assignments_ServiceDesc is the grpc.ServiceDesc for the Assignments service.
var Assignments_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "redshank.assign.v1.Assignments",
	HandlerType: (*AssignmentsServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Assign", Handler: _Assignments_Assign_Handler},
		{MethodName: "RecordExposure", Handler: _Assignments_RecordExposure_Handler},
		{MethodName: "ListExposures", Handler: _Assignments_ListExposures_Handler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "redshank/assign/v1/assign.proto",
}
