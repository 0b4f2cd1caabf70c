package fines

// appealRightsNotice is the statutory text that must accompany every notice.
const appealRightsNotice = "You have the right to challenge this Penalty Charge Notice. " +
	"If you believe the notice was issued incorrectly you may make an informal representation " +
	"within 28 days of the date of service, online or in writing to the Parking Appeals Office. " +
	"If your representation is made within 14 days of the date of service and is rejected, the " +
	"discounted amount will remain payable for a further 14 days. If you do not pay or make a " +
	"representation within 28 days, a Notice to Owner may be served on the registered keeper of " +
	"the vehicle, after which the full charge is payable and formal representations may be made. " +
	"If formal representations are rejected you may appeal to the independent adjudicator, whose " +
	"decision is binding on both parties. You may be asked to provide evidence such as a valid " +
	"permit, a visitor pass reference, a pay-and-display receipt, a blue badge, or proof that the " +
	"vehicle had been stolen or hired at the time. Appeals received after the deadline will only " +
	"be considered in exceptional circumstances. Paying the charge closes the case and you will " +
	"not be able to appeal afterwards. Accessible formats and translations of this notice are " +
	"available on request from the Parking Services contact centre."
