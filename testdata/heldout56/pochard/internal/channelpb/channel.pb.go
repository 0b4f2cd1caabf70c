// Package channelpb holds the channel-manager messages and service
// interfaces. The types follow protoc-gen-go's shape (nil-safe getters,
// Unimplemented servers) without depending on protobuf at run time.
package channelpb

import (
	"context"
	"errors"
)

// ErrUnimplemented is returned by Unimplemented servers.
var ErrUnimplemented = errors.New("channelpb: method not implemented")

type PlaceHoldRequest struct {
	HotelId     string
	RoomTypeId  string
	Night       string
	Rooms       int32
	TtlSeconds  int64
	RequestedBy string
}

func (x *PlaceHoldRequest) GetHotelId() string {
	if x != nil {
		return x.HotelId
	}
	return ""
}

func (x *PlaceHoldRequest) GetRoomTypeId() string {
	if x != nil {
		return x.RoomTypeId
	}
	return ""
}

func (x *PlaceHoldRequest) GetNight() string {
	if x != nil {
		return x.Night
	}
	return ""
}

func (x *PlaceHoldRequest) GetRooms() int32 {
	if x != nil {
		return x.Rooms
	}
	return 0
}

func (x *PlaceHoldRequest) GetTtlSeconds() int64 {
	if x != nil {
		return x.TtlSeconds
	}
	return 0
}

func (x *PlaceHoldRequest) GetRequestedBy() string {
	if x != nil {
		return x.RequestedBy
	}
	return ""
}

type PlaceHoldResponse struct {
	HoldId    string
	ExpiresAt int64
}

func (x *PlaceHoldResponse) GetHoldId() string {
	if x != nil {
		return x.HoldId
	}
	return ""
}

type ReleaseHoldRequest struct {
	HotelId string
	HoldId  string
}

func (x *ReleaseHoldRequest) GetHotelId() string {
	if x != nil {
		return x.HotelId
	}
	return ""
}

func (x *ReleaseHoldRequest) GetHoldId() string {
	if x != nil {
		return x.HoldId
	}
	return ""
}

type ReleaseHoldResponse struct{}

// HoldServiceServer is the server API for HoldService.
type HoldServiceServer interface {
	PlaceHold(context.Context, *PlaceHoldRequest) (*PlaceHoldResponse, error)
	ReleaseHold(context.Context, *ReleaseHoldRequest) (*ReleaseHoldResponse, error)
	mustEmbedUnimplementedHoldServiceServer()
}

// UnimplementedHoldServiceServer must be embedded for forward compatibility.
type UnimplementedHoldServiceServer struct{}

func (UnimplementedHoldServiceServer) PlaceHold(context.Context, *PlaceHoldRequest) (*PlaceHoldResponse, error) {
	return nil, ErrUnimplemented
}

func (UnimplementedHoldServiceServer) ReleaseHold(context.Context, *ReleaseHoldRequest) (*ReleaseHoldResponse, error) {
	return nil, ErrUnimplemented
}

func (UnimplementedHoldServiceServer) mustEmbedUnimplementedHoldServiceServer() {}

type GrantScopeRequest struct {
	PartnerId string
	Scope     string
}

func (x *GrantScopeRequest) GetPartnerId() string {
	if x != nil {
		return x.PartnerId
	}
	return ""
}

func (x *GrantScopeRequest) GetScope() string {
	if x != nil {
		return x.Scope
	}
	return ""
}

type GrantScopeResponse struct {
	Scopes []string
}

type RevokeTokenRequest struct {
	PartnerId string
	TokenId   string
	Reason    string
}

func (x *RevokeTokenRequest) GetPartnerId() string {
	if x != nil {
		return x.PartnerId
	}
	return ""
}

func (x *RevokeTokenRequest) GetTokenId() string {
	if x != nil {
		return x.TokenId
	}
	return ""
}

func (x *RevokeTokenRequest) GetReason() string {
	if x != nil {
		return x.Reason
	}
	return ""
}

type RevokeTokenResponse struct {
	RevokedAt int64
}

// PartnerServiceServer is the server API for PartnerService.
type PartnerServiceServer interface {
	GrantScope(context.Context, *GrantScopeRequest) (*GrantScopeResponse, error)
	RevokeToken(context.Context, *RevokeTokenRequest) (*RevokeTokenResponse, error)
	mustEmbedUnimplementedPartnerServiceServer()
}

// UnimplementedPartnerServiceServer must be embedded for forward compatibility.
type UnimplementedPartnerServiceServer struct{}

func (UnimplementedPartnerServiceServer) GrantScope(context.Context, *GrantScopeRequest) (*GrantScopeResponse, error) {
	return nil, ErrUnimplemented
}

func (UnimplementedPartnerServiceServer) RevokeToken(context.Context, *RevokeTokenRequest) (*RevokeTokenResponse, error) {
	return nil, ErrUnimplemented
}

func (UnimplementedPartnerServiceServer) mustEmbedUnimplementedPartnerServiceServer() {}
