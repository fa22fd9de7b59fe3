using BusinessInbox.Data;

namespace BusinessInbox.Profile;

public static class CategoryNames
{
    /// <summary>The English name shown for a category (a localization key).</summary>
    public static string Of(BusinessCategory category) => category switch
    {
        BusinessCategory.NonProfit => "Non-profit",
        BusinessCategory.ProfessionalServices => "Professional services",
        BusinessCategory.EventPlanning => "Event planning and services",
        BusinessCategory.Hotel => "Hotel and lodging",
        BusinessCategory.Apparel => "Apparel and clothing",
        BusinessCategory.Health => "Medical and health",
        BusinessCategory.Beauty => "Beauty, cosmetics and personal care",
        BusinessCategory.Retail => "Shopping and retail",
        BusinessCategory.Restaurant => "Restaurant",
        BusinessCategory.Grocery => "Grocery",
        BusinessCategory.Automotive => "Automotive",
        BusinessCategory.Education => "Education",
        BusinessCategory.Entertainment => "Entertainment",
        BusinessCategory.Finance => "Finance and banking",
        BusinessCategory.Travel => "Travel and transportation",
        _ => "Other",
    };
}
