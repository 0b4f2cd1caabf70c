package rpc

import (
	"context"
	"errors"
)

// ErrUnimplemented is returned by the Unimplemented servers.
var ErrUnimplemented = errors.New("rpc: method not implemented")

// CampaignServiceServer is the server API for the campaign service.
type CampaignServiceServer interface {
	ScheduleCampaign(context.Context, *ScheduleCampaignRequest) (*ScheduleReply, error)
	AddSlot(context.Context, *AddSlotRequest) (*ScheduleReply, error)
	CancelCampaign(context.Context, *CancelCampaignRequest) (*ScheduleReply, error)
	Remind(context.Context, *RemindRequest) (*ScheduleReply, error)
	mustEmbedUnimplementedCampaignServiceServer()
}

// UnimplementedCampaignServiceServer must be embedded for forward compatibility.
type UnimplementedCampaignServiceServer struct{}

func (UnimplementedCampaignServiceServer) ScheduleCampaign(context.Context, *ScheduleCampaignRequest) (*ScheduleReply, error) {
	return nil, ErrUnimplemented
}
func (UnimplementedCampaignServiceServer) AddSlot(context.Context, *AddSlotRequest) (*ScheduleReply, error) {
	return nil, ErrUnimplemented
}
func (UnimplementedCampaignServiceServer) CancelCampaign(context.Context, *CancelCampaignRequest) (*ScheduleReply, error) {
	return nil, ErrUnimplemented
}
func (UnimplementedCampaignServiceServer) Remind(context.Context, *RemindRequest) (*ScheduleReply, error) {
	return nil, ErrUnimplemented
}
func (UnimplementedCampaignServiceServer) mustEmbedUnimplementedCampaignServiceServer() {}

// EntryServiceServer is the server API for raw list entries.
type EntryServiceServer interface {
	PutEntry(context.Context, *PutEntryRequest) (*PutEntryResponse, error)
	mustEmbedUnimplementedEntryServiceServer()
}

// UnimplementedEntryServiceServer must be embedded for forward compatibility.
type UnimplementedEntryServiceServer struct{}

func (UnimplementedEntryServiceServer) PutEntry(context.Context, *PutEntryRequest) (*PutEntryResponse, error) {
	return nil, ErrUnimplemented
}
func (UnimplementedEntryServiceServer) mustEmbedUnimplementedEntryServiceServer() {}
