# Mesajele cu biroul, răspunsurile la o cerere de completare sau la o notificare, decizia (netradus încă: mesajele apar în italiană).
