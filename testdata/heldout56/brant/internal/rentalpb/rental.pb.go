// Code in this file follows the layout of protoc-gen-go output for
// rental/v1/rental.proto. The team keeps it by hand so the Worker build does
// not need the protobuf runtime.

package rentalpb

import "context"

type PutEntryRequest struct {
	Namespace  string
	Key        string
	Value      []byte
	TtlSeconds int64
}

func (x *PutEntryRequest) GetNamespace() string {
	if x != nil {
		return x.Namespace
	}
	return ""
}

func (x *PutEntryRequest) GetKey() string {
	if x != nil {
		return x.Key
	}
	return ""
}

func (x *PutEntryRequest) GetValue() []byte {
	if x != nil {
		return x.Value
	}
	return nil
}

func (x *PutEntryRequest) GetTtlSeconds() int64 {
	if x != nil {
		return x.TtlSeconds
	}
	return 0
}

type PutEntryResponse struct {
	Key string
}

type RevokeTokenRequest struct {
	RiderId string
	TokenId string
	Reason  string
}

func (x *RevokeTokenRequest) GetRiderId() string {
	if x != nil {
		return x.RiderId
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

type ExtendHoldRequest struct {
	VehicleId     string
	RiderId       string
	ExpiresAtUnix int64
	GraceSeconds  int64
}

func (x *ExtendHoldRequest) GetVehicleId() string {
	if x != nil {
		return x.VehicleId
	}
	return ""
}

func (x *ExtendHoldRequest) GetRiderId() string {
	if x != nil {
		return x.RiderId
	}
	return ""
}

func (x *ExtendHoldRequest) GetExpiresAtUnix() int64 {
	if x != nil {
		return x.ExpiresAtUnix
	}
	return 0
}

func (x *ExtendHoldRequest) GetGraceSeconds() int64 {
	if x != nil {
		return x.GraceSeconds
	}
	return 0
}

type ExtendHoldResponse struct {
	TtlSeconds int64
}

type RedeemPromoRequest struct {
	Code    string
	RiderId string
	City    string
}

func (x *RedeemPromoRequest) GetCode() string {
	if x != nil {
		return x.Code
	}
	return ""
}

func (x *RedeemPromoRequest) GetRiderId() string {
	if x != nil {
		return x.RiderId
	}
	return ""
}

func (x *RedeemPromoRequest) GetCity() string {
	if x != nil {
		return x.City
	}
	return ""
}

type RedeemPromoResponse struct {
	Accepted  bool
	Remaining int64
}

type ClaimPromoCodeRequest struct {
	Code       string
	CampaignId string
}

func (x *ClaimPromoCodeRequest) GetCode() string {
	if x != nil {
		return x.Code
	}
	return ""
}

func (x *ClaimPromoCodeRequest) GetCampaignId() string {
	if x != nil {
		return x.CampaignId
	}
	return ""
}

type ClaimPromoCodeResponse struct {
	Code string
}

// RentalServer is the server API for the rental.v1.Rental service.
type RentalServer interface {
	PutEntry(context.Context, *PutEntryRequest) (*PutEntryResponse, error)
	RevokeToken(context.Context, *RevokeTokenRequest) (*RevokeTokenResponse, error)
	ExtendHold(context.Context, *ExtendHoldRequest) (*ExtendHoldResponse, error)
	mustEmbedUnimplementedRentalServer()
}

// PromoServer is the server API for the rental.v1.Promo service.
type PromoServer interface {
	RedeemPromo(context.Context, *RedeemPromoRequest) (*RedeemPromoResponse, error)
	ClaimPromoCode(context.Context, *ClaimPromoCodeRequest) (*ClaimPromoCodeResponse, error)
	mustEmbedUnimplementedPromoServer()
}

// UnimplementedRentalServer must be embedded to have forward compatible implementations.
type UnimplementedRentalServer struct{}

func (UnimplementedRentalServer) PutEntry(context.Context, *PutEntryRequest) (*PutEntryResponse, error) {
	return nil, errUnimplemented("PutEntry")
}
func (UnimplementedRentalServer) RevokeToken(context.Context, *RevokeTokenRequest) (*RevokeTokenResponse, error) {
	return nil, errUnimplemented("RevokeToken")
}
func (UnimplementedRentalServer) ExtendHold(context.Context, *ExtendHoldRequest) (*ExtendHoldResponse, error) {
	return nil, errUnimplemented("ExtendHold")
}
func (UnimplementedRentalServer) mustEmbedUnimplementedRentalServer() {}

// UnimplementedPromoServer must be embedded to have forward compatible implementations.
type UnimplementedPromoServer struct{}

func (UnimplementedPromoServer) RedeemPromo(context.Context, *RedeemPromoRequest) (*RedeemPromoResponse, error) {
	return nil, errUnimplemented("RedeemPromo")
}
func (UnimplementedPromoServer) ClaimPromoCode(context.Context, *ClaimPromoCodeRequest) (*ClaimPromoCodeResponse, error) {
	return nil, errUnimplemented("ClaimPromoCode")
}
func (UnimplementedPromoServer) mustEmbedUnimplementedPromoServer() {}

type unimplementedError string

func (e unimplementedError) Error() string { return "rpc: method " + string(e) + " not implemented" }

func errUnimplemented(m string) error { return unimplementedError(m) }
