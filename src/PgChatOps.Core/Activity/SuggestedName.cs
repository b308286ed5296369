namespace PgChatOps.Activity;

/// <summary>What an autocompleted option names: a configured target, or a name from the target's current sessions.</summary>
public enum SuggestedName
{
    Target,
    User,
    Database,
    Application,
}
