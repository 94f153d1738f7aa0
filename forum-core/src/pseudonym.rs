//! Per-thread pseudonyms: a member appears under one name within a thread and under unrelated
//! names elsewhere. The name is a keyed hash of (poster, thread), so nobody without the server
//! key can link two names, and the same inputs always give the same name.

use crate::ids::{PosterId, ThreadId};
use crate::secrets::{Purpose, Secrets};

const ADJECTIVES: &[&str] = &[
    "Amber", "Ancient", "Autumn", "Azure", "Balmy", "Bold", "Brave", "Breezy", "Bright", "Brisk",
    "Bronze", "Calm", "Candid", "Careful", "Cedar", "Cheerful", "Clear", "Clever", "Cloudy", "Coastal",
    "Cobalt", "Copper", "Cosy", "Crimson", "Crisp", "Curious", "Dapper", "Dawn", "Deep", "Dewy",
    "Distant", "Dreamy", "Dusky", "Early", "Earnest", "Easy", "Electric", "Emerald", "Even", "Fair",
    "Faithful", "Fearless", "Fern", "Fleet", "Floral", "Fond", "Forest", "Free", "Fresh", "Friendly",
    "Frosty", "Gentle", "Genuine", "Giant", "Gilded", "Glad", "Glowing", "Golden", "Graceful", "Grand",
    "Green", "Hazel", "Hearty", "Helpful", "Hidden", "Honest", "Hopeful", "Humble", "Indigo", "Ivory",
    "Jade", "Jolly", "Joyful", "Keen", "Kind", "Lavender", "Leafy", "Light", "Lilac", "Little",
    "Lively", "Loyal", "Lucky", "Lunar", "Maple", "Marine", "Meadow", "Mellow", "Merry", "Mild",
    "Mint", "Misty", "Modest", "Morning", "Mossy", "Navy", "Neat", "Nimble", "Noble", "Northern",
    "Oaken", "Ocean", "Olive", "Open", "Orange", "Patient", "Peaceful", "Pearl", "Plucky", "Polar",
    "Proud", "Quick", "Quiet", "Rainy", "Rapid", "Ready", "Rosy", "Royal", "Ruby", "Russet",
    "Rustic", "Sage", "Sandy", "Sapphire", "Scarlet", "Serene", "Shady", "Shining", "Silent", "Silver",
    "Simple", "Sincere", "Sleepy", "Slow", "Smooth", "Snowy", "Soft", "Solar", "Sound", "Southern",
    "Sparkling", "Spring", "Starry", "Steady", "Still", "Stormy", "Strong", "Summer", "Sunny", "Swift",
    "Tall", "Tame", "Tender", "Thoughtful", "Tidy", "Timber", "Tranquil", "True", "Trusty", "Twilight",
    "Velvet", "Violet", "Vivid", "Wandering", "Warm", "Wary", "Wavy", "Western", "Whispering", "Wild",
    "Willow", "Windy", "Winter", "Wise", "Witty", "Wooden", "Woolly", "Young", "Zesty", "Bashful",
    "Blue", "Busy", "Cool", "Crystal", "Dusty", "Eager", "Evening", "Fuzzy", "Gleaming", "Harbor",
    "Humming", "Icy", "Jasmine", "Lone", "Midnight", "Mountain", "Patchwork", "Quilted", "River", "Saffron",
];

const NOUNS: &[&str] = &[
    "Acorn", "Albatross", "Alder", "Anchor", "Antelope", "Aspen", "Badger", "Bamboo", "Beacon", "Bear",
    "Beaver", "Beech", "Bison", "Bluebell", "Bramble", "Brook", "Buffalo", "Buttercup", "Canyon", "Cardinal",
    "Caribou", "Cedar", "Chestnut", "Cloud", "Clover", "Comet", "Coral", "Cormorant", "Cove", "Crane",
    "Creek", "Cricket", "Crocus", "Curlew", "Cypress", "Daisy", "Deer", "Delta", "Dolphin", "Dove",
    "Dune", "Eagle", "Egret", "Elk", "Elm", "Ember", "Falcon", "Fawn", "Fern", "Finch",
    "Firefly", "Fjord", "Flint", "Fox", "Gannet", "Garden", "Gazelle", "Glacier", "Glade", "Grove",
    "Gull", "Harbour", "Hare", "Harrier", "Hawk", "Hazel", "Heath", "Hedgehog", "Heron", "Hill",
    "Holly", "Horizon", "Ibis", "Iris", "Island", "Ivy", "Jay", "Juniper", "Kestrel", "Kingfisher",
    "Kite", "Koala", "Lagoon", "Lake", "Lantern", "Lark", "Laurel", "Lemur", "Lily", "Linden",
    "Lotus", "Lynx", "Magpie", "Mallard", "Maple", "Marigold", "Marten", "Meadow", "Meerkat", "Merlin",
    "Mesa", "Mole", "Moon", "Moose", "Moth", "Nightingale", "Oak", "Ocelot", "Orchard", "Orchid",
    "Oriole", "Osprey", "Otter", "Owl", "Panda", "Pebble", "Pelican", "Penguin", "Peony", "Pine",
    "Plover", "Pond", "Poplar", "Poppy", "Prairie", "Puffin", "Quail", "Rabbit", "Raven", "Reed",
    "Ridge", "River", "Robin", "Rowan", "Sage", "Salmon", "Sandpiper", "Seal", "Sequoia", "Shore",
    "Skylark", "Sparrow", "Spruce", "Squirrel", "Starling", "Stone", "Stork", "Stream", "Summit", "Swallow",
    "Swan", "Swift", "Sycamore", "Tern", "Thistle", "Thrush", "Tide", "Tortoise", "Tulip", "Tundra",
    "Valley", "Violet", "Vole", "Walrus", "Warbler", "Waterfall", "Wave", "Willow", "Wolf", "Wombat",
    "Wren", "Yak", "Yarrow", "Yew", "Zebra", "Harebell", "Larch", "Lupin", "Narwhal", "Nuthatch",
    "Pigeon", "Quokka", "Redwood", "Seahorse", "Snowdrop", "Sorrel", "Starfish", "Teal", "Wagtail", "Whale",
    "Bobcat", "Chickadee", "Dipper", "Gecko", "Hummingbird", "Ptarmigan", "Songbird", "Thrasher", "Tanager", "Aurora",
];

/// How many distinct names there are.
pub fn name_space() -> usize {
    ADJECTIVES.len() * NOUNS.len()
}

/// The `attempt`-th candidate name for `poster` in `thread`. Attempt 0 is the usual name;
/// later attempts are used only when an earlier one is already taken in the thread.
pub fn derive(secrets: &Secrets, poster: PosterId, thread: ThreadId, attempt: u32) -> String {
    let mac = secrets.mac(
        Purpose::Pseudonym,
        &[&poster.0.to_be_bytes(), &thread.0.to_be_bytes(), &attempt.to_be_bytes()],
    );
    let pick = |bytes: [u8; 8], len: usize| (u64::from_be_bytes(bytes) % len as u64) as usize;
    let adjective = ADJECTIVES[pick(mac[0..8].try_into().expect("8 bytes"), ADJECTIVES.len())];
    let noun = NOUNS[pick(mac[8..16].try_into().expect("8 bytes"), NOUNS.len())];
    format!("{adjective} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn word_lists_have_no_repeats() {
        assert_eq!(ADJECTIVES.iter().collect::<HashSet<_>>().len(), ADJECTIVES.len());
        assert_eq!(NOUNS.iter().collect::<HashSet<_>>().len(), NOUNS.len());
        assert!(name_space() >= 40_000, "{}", name_space());
    }

    #[test]
    fn stable_within_a_thread_unrelated_across_threads() {
        let s = Secrets::from_bytes([1; 32]);
        let a = derive(&s, PosterId(1), ThreadId(1), 0);
        assert_eq!(a, derive(&s, PosterId(1), ThreadId(1), 0));
        // Across 200 threads one poster's names are spread like anyone's.
        let names: HashSet<_> = (0..200).map(|t| derive(&s, PosterId(1), ThreadId(t), 0)).collect();
        assert!(names.len() > 190, "{}", names.len());
        // A different server key gives different names.
        assert_ne!(a, derive(&Secrets::from_bytes([2; 32]), PosterId(1), ThreadId(1), 0));
        assert_ne!(a, derive(&s, PosterId(1), ThreadId(1), 1));
    }
}
